/**
 * Labels from the field against the real QuestDB: POST /v1/labels and the CSV import store labels with their
 * source and note, GET /v1/labels filters them, and a batch or file with any bad row is refused naming the row,
 * storing nothing.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bootApp, KEYS, uniqueTag, waitFor } from './helpers.js';
import { walApplied } from './queue-fixtures.js';

let app: FastifyInstance;
let dir: string;
beforeAll(async () => {
  app = await bootApp();
  dir = mkdtempSync(path.join(tmpdir(), 'labels-'));
});
afterAll(async () => {
  await app.close();
  rmSync(dir, { recursive: true, force: true });
});

const labelsOf = async (query: string) => {
  const res = await app.inject({ method: 'GET', url: `/v1/labels?${query}`, headers: KEYS.reader });
  expect(res.statusCode, res.body).toBe(200);
  return res.json().labels as Record<string, unknown>[];
};

const post = (labels: unknown[], headers: Record<string, string> = KEYS.operator) =>
  app.inject({ method: 'POST', url: '/v1/labels', headers, payload: { labels } });

function importCsv(file: string) {
  return spawnSync(process.execPath, ['--import', 'tsx', 'scripts/labels.ts', 'import', file], {
    encoding: 'utf8',
    env: { ...process.env, LOG_LEVEL: 'warn' },
    timeout: 120_000,
  });
}

describe('labels without a failure time', () => {
  it('reach training and evaluation as caught degradations: a symptomatic span, no failure', async () => {
    const node = uniqueTag('cgt');
    const start = Date.UTC(2072, 2, 3, 10);
    const res = await post([
      { device: `${node}/0`, fault_type: 'cooling_degradation', start, source: 'operator', note: 'caught' },
      { device: `${node}/1`, fault_type: 'ecc_storm', start, failure: start + 600_000, source: 'rma' },
    ]);
    expect(res.statusCode, res.body).toBe(200);
    await walApplied(app.reader, 'fault_labels');
    // A range that starts after the caught label's start still sees it while its span lasts (2 h).
    const labels = (await app.reader.faultLabels({ from: start + 3_600_000, to: start + 4 * 3_600_000 })).filter((l) =>
      l.device.startsWith(node),
    );
    expect(labels).toEqual([
      expect.objectContaining({ device: `${node}/0`, caught: true, onsetTs: start, failureTs: start + 2 * 3_600_000 }),
    ]);
    const both = (await app.reader.faultLabels({ from: start, to: start + 3_600_000 })).filter((l) =>
      l.device.startsWith(node),
    );
    expect(both.map((l) => [l.device, l.caught ?? false]).sort()).toEqual([
      [`${node}/0`, true],
      [`${node}/1`, false],
    ]);
    expect(await app.reader.faultLabels({ from: start + 3 * 3_600_000, to: start + 4 * 3_600_000 })).not.toContainEqual(
      expect.objectContaining({ device: `${node}/0` }),
    );
  });
});

describe('POST /v1/labels', () => {
  it('stores labels with source and note; GET filters by device, source and time', async () => {
    const node = uniqueTag('lbl');
    const rows = [
      {
        device: `${node}/3`,
        cluster: 'itest',
        fault_type: 'ecc_storm',
        start: '2026-11-20T10:00:00Z',
        failure: '2026-11-20T12:30:00Z',
        source: 'rma',
        note: 'RMA 4411: HBM replaced',
      },
      {
        device: `${node}/3`,
        fault_type: 'cooling_degradation',
        start: Date.UTC(2026, 10, 22, 8),
        source: 'operator',
        note: 'fan replaced before it failed',
      },
    ];
    const res = await post(rows);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toEqual({ stored: 2 });

    const back = await waitFor(
      () => labelsOf(`device=${encodeURIComponent(`${node}/3`)}`),
      (l) => l.length === 2,
    );
    expect(back[0]).toEqual({
      device: `${node}/3`,
      fault_type: 'cooling_degradation',
      start: '2026-11-22T08:00:00.000Z',
      source: 'operator',
      note: 'fan replaced before it failed',
      node,
      gpu: '3',
      xid: 0,
    });
    expect(back[1]).toMatchObject({
      fault_type: 'ecc_storm',
      failure: '2026-11-20T12:30:00.000Z',
      source: 'rma',
      cluster: 'itest',
      note: 'RMA 4411: HBM replaced',
    });
    const device = `device=${encodeURIComponent(`${node}/3`)}`;
    expect((await labelsOf(`${device}&source=rma`)).map((l) => l.fault_type)).toEqual(['ecc_storm']);
    expect(
      (await labelsOf(`${device}&from=2026-11-21T00:00:00Z&to=2026-11-23T00:00:00Z`)).map((l) => l.fault_type),
    ).toEqual(['cooling_degradation']);

    // The same label again (a corrected note) replaces it: still two.
    expect((await post([{ ...rows[0], note: 'RMA 4411: HBM and board replaced' }])).statusCode).toBe(200);
    await waitFor(
      () => labelsOf(`${device}&source=rma`),
      (l) => l.length === 1 && l[0].note === 'RMA 4411: HBM and board replaced',
    );
    expect(await labelsOf(device)).toHaveLength(2);
  });

  it('refuses a batch with a bad row, naming it, and stores none of the batch', async () => {
    const node = uniqueTag('lbl');
    const res = await post([
      { device: `${node}/0`, fault_type: 'ecc_storm', start: '2026-11-20T10:00:00Z', source: 'operator' },
      { device: `${node}/1`, fault_type: 'ecc_storm', start: '2026-11-20T10:00:00Z', source: 'hearsay' },
      { device: `${node}/2`, fault_type: 'ecc_storm', start: '2026-11-20T10:00:00', source: 'operator' },
    ]);
    expect(res.statusCode).toBe(400);
    const body = res.json();
    expect(body.error.code).toBe('INVALID_ROWS');
    expect(body.error.details.stored).toBe(0);
    expect(body.error.details.errors.map((e: { row: number; field: string }) => [e.row, e.field])).toEqual([
      [1, 'source'],
      [2, 'start'],
    ]);
    await walApplied(app.reader, 'fault_labels');
    expect(await labelsOf(`device=${encodeURIComponent(`${node}/0`)}`)).toEqual([]);
  });

  it('needs the operator role to write', async () => {
    const res = await post(
      [{ device: 'x/0', fault_type: 'other', start: '2026-11-20T10:00:00Z', source: 'operator' }],
      KEYS.reader,
    );
    expect(res.statusCode).toBe(403);
  });
});

describe('npm run labels -- import <csv>', () => {
  it('imports a history file whole, and refuses a file with a bad line storing nothing', async () => {
    const node = uniqueTag('csv');
    const good = path.join(dir, 'history.csv');
    writeFileSync(
      good,
      [
        'device,fault_type,start,failure,source,note,xid',
        `${node}/0,ecc_storm,2026-10-01T04:00:00Z,2026-10-01T06:00:00Z,ticket,"INC-77, DBE then XID 48",48`,
        `${node}/1,psu_instability,${Date.UTC(2026, 9, 2)},,operator,,`,
      ].join('\n'),
    );
    const ok = importCsv(good);
    expect(ok.status, ok.stderr).toBe(0);
    expect(JSON.parse(ok.stdout.trim().split('\n').at(-1) ?? '{}')).toMatchObject({ stored: 2 });
    const first = await waitFor(
      () => labelsOf(`device=${encodeURIComponent(`${node}/0`)}`),
      (l) => l.length === 1,
    );
    expect(first[0]).toMatchObject({ source: 'ticket', note: 'INC-77, DBE then XID 48', xid: 48 });
    const second = await waitFor(
      () => labelsOf(`device=${encodeURIComponent(`${node}/1`)}`),
      (l) => l.length === 1,
    );
    expect(second[0]).toMatchObject({ source: 'operator', start: '2026-10-02T00:00:00.000Z' });
    expect(second[0].failure).toBeUndefined();

    const badNode = uniqueTag('csv');
    const bad = path.join(dir, 'bad.csv');
    writeFileSync(
      bad,
      [
        'device,fault_type,start,failure,source',
        `${badNode}/0,ecc_storm,2026-10-01T04:00:00Z,,rma`,
        `${badNode}/1,ecc_storm,2026-10-01T04:00:00Z,2026-09-30T00:00:00Z,rma`,
      ].join('\n'),
    );
    const refused = importCsv(bad);
    expect(refused.status).toBe(1);
    expect(refused.stderr).toMatch(/line 3: failure: must not be before start/);
    expect(refused.stderr).toMatch(/nothing was stored/);
    await walApplied(app.reader, 'fault_labels');
    expect(await labelsOf(`device=${encodeURIComponent(`${badNode}/0`)}`)).toEqual([]);
  });
});
