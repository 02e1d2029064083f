import { describe, expect, it } from 'vitest';
import type { FaultLabel } from '../../src/telemetry/catalogue.js';
import { compareShadowRows, type ShadowRow } from './shadow-comparison.js';

const MIN = 60_000;
const DAY = 86_400_000;
/** One row every 15 min for a day; `alarms` says, per row index, whether champion / shadow alarmed. */
const rowsOf = (device: string, alarms: (i: number) => [boolean, boolean]): ShadowRow[] =>
  Array.from({ length: 96 }, (_, i) => {
    const [championAlarm, shadowAlarm] = alarms(i);
    return { ts: i * 15 * MIN, device, rack: 'r0', championAlarm, shadowAlarm };
  });
const label = (device: string, start: number, end: number): FaultLabel => ({
  device,
  cluster: 'c0',
  rack: 'r0',
  node: device.split('/')[0],
  gpu: '0',
  faultType: 'ecc_storm',
  onsetTs: start,
  failureTs: end,
  xid: 0,
});

describe('compareShadowRows', () => {
  it("counts each model's detections, false alarms per device-day and the labelled events the rows cover", () => {
    // n0/0 fails around row 40; the shadow alarms on rows 38-41, the champion never. The shadow also alarms on
    // n1/0 rows 10-11 (no fault: one false alarm); the champion alarms on n1/0 rows 70-71 and 80 (two).
    const rows = [
      ...rowsOf('n0/0', (i) => [false, i >= 38 && i <= 41]),
      ...rowsOf('n1/0', (i) => [i === 70 || i === 71 || i === 80, i === 10 || i === 11]),
    ];
    const labels = [label('n0/0', 39 * 15 * MIN, 40 * 15 * MIN), label('n9/0', 0, DAY)];
    const { champion, shadow, devices } = compareShadowRows(rows, labels);
    expect(devices).toBe(2);
    expect(shadow).toMatchObject({ labelledEvents: 1, alarms: 2, falseAlarms: 1, eventRecall: 1, eventPrecision: 0.5 });
    expect(shadow.eventF1).toBeCloseTo(2 / 3);
    expect(champion).toMatchObject({ labelledEvents: 1, alarms: 2, falseAlarms: 2, eventRecall: 0, eventF1: 0 });
    // Two devices, a day each.
    expect(shadow.deviceDays).toBeCloseTo(2);
    expect(shadow.falseAlarmsPerDeviceDay).toBeCloseTo(0.5);
    expect(champion.falseAlarmsPerDeviceDay).toBeCloseTo(1);
  });

  it('a fault predictor is credited for an alarm up to the horizon before the onset', () => {
    const rows = rowsOf('n0/0', (i) => [false, i === 30]);
    const labels = [label('n0/0', 40 * 15 * MIN, 41 * 15 * MIN)];
    expect(compareShadowRows(rows, labels, 0).shadow.eventRecall).toBe(0);
    expect(compareShadowRows(rows, labels, 3 * 3_600_000).shadow.eventRecall).toBe(1);
  });

  it('labels outside the scored period are not events; silence scores 0 once there are events', () => {
    const rows = rowsOf('n0/0', () => [false, false]);
    expect(compareShadowRows(rows, [label('n0/0', 2 * DAY, 3 * DAY)]).champion.labelledEvents).toBe(0);
    const { champion } = compareShadowRows(rows, [label('n0/0', 0, 15 * MIN)]);
    expect(champion).toMatchObject({ labelledEvents: 1, eventF1: 0, falseAlarms: 0 });
  });
});
