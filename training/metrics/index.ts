export * from './anomaly.js';
export * from './fault.js';
export * from './intervals.js';
export * from './regression.js';
export * from './segments.js';
