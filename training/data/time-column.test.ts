import { afterEach, describe, expect, it } from 'vitest';
import { readCsvDataset } from './csv.js';
import { parseTimeCell } from './time-column.js';

describe('zone-less timestamps', () => {
  const tz = process.env.TZ;
  afterEach(() => {
    process.env.TZ = tz;
  });

  it('are UTC whatever the machine zone (Node re-reads TZ when it changes)', () => {
    process.env.TZ = 'America/New_York';
    expect(parseTimeCell('2014-04-10 07:15:00.000000')).toBe(Date.UTC(2014, 3, 10, 7, 15));
    expect(parseTimeCell('2014-04-10T07:15')).toBe(Date.UTC(2014, 3, 10, 7, 15));
    expect(parseTimeCell('2014-04-10')).toBe(Date.UTC(2014, 3, 10));
    expect(parseTimeCell('2014-04-10 07:15:00.5')).toBe(Date.UTC(2014, 3, 10, 7, 15, 0, 500));
  });

  it('are wall time in --timezone when given, across a DST change', () => {
    // New York: UTC−5 in January, UTC−4 in July.
    expect(parseTimeCell('2024-01-15 12:00:00', 'America/New_York')).toBe(Date.UTC(2024, 0, 15, 17));
    expect(parseTimeCell('2024-07-15 12:00:00', 'America/New_York')).toBe(Date.UTC(2024, 6, 15, 16));
    expect(parseTimeCell('2024-07-15 12:00:00', 'UTC')).toBe(Date.UTC(2024, 6, 15, 12));
  });

  it('leave a timestamp with a zone designator exact', () => {
    expect(parseTimeCell('2024-07-15T12:00:00+02:00', 'America/New_York')).toBe(Date.UTC(2024, 6, 15, 10));
    expect(parseTimeCell('2024-07-15T12:00:00Z')).toBe(Date.UTC(2024, 6, 15, 12));
  });

  it('reach the dataset, and an unknown zone is a validation error naming it', async () => {
    const csv = 'timestamp,value\n2024-01-01 00:00:00,1\n2024-01-01 01:00:00,2\n';
    expect((await readCsvDataset(csv)).entities[0].series.ts[0]).toBe(Date.UTC(2024, 0, 1));
    expect((await readCsvDataset(csv, { timeZone: 'Asia/Tokyo' })).entities[0].series.ts[0]).toBe(
      Date.UTC(2023, 11, 31, 15),
    );
    await expect(readCsvDataset(csv, { timeZone: 'Mars/Olympus' })).rejects.toThrow(
      /unknown time zone "Mars\/Olympus"/,
    );
  });
});
