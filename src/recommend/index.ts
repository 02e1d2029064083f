/** The recommendation policy: pure code from scores and context to actions (see engine.ts). */
export {
  DEFAULT_POLICY,
  definePolicy,
  type PolicyConfig,
  type PolicyOverrides,
  SEVERITY_RANK,
  validatePolicy,
} from './config.js';
export { recommend } from './engine.js';
export { actionId } from './ids.js';
export { type PolicyInputParts, policyInput } from './input.js';
export { chooseCap } from './rules/power.js';
export { indexTopology, topologyFromDevices } from './topology.js';
export type * from './types.js';
export { ACTION_TYPES } from './types.js';
export { XID_RULES, type XidRule, xidRule } from './xid-rules.js';
