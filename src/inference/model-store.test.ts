import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { ModelStore } from './model-store.js';
import { offsetAutoencoder, testMetadata, writeModelDir } from './testing/graph-models.js';

let dir: string;
let store: ModelStore;
const write = (version: string, createdAt: string) =>
  writeModelDir(
    dir,
    testMetadata('ae', version, 'anomaly', {
      features: ['a'],
      windowLength: 2,
      outputs: ['reconstruction'],
      createdAt,
    }),
    offsetAutoencoder(2, 1, 1),
  );

beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'fleetsense-store-'));
  store = new ModelStore(dir);
});
afterEach(() => rm(dir, { recursive: true, force: true }));

describe('ModelStore', () => {
  test('lists servable versions newest first and skips broken ones', async () => {
    await write('v9', '2026-01-01T00:00:00Z');
    await write('v10', '2026-01-01T00:00:00Z'); // same time: natural order puts v10 after v9
    await write('v2', '2026-03-01T00:00:00Z');
    await mkdir(path.join(dir, 'ae', 'half-written'));
    await writeFile(path.join(dir, 'ae', 'half-written', 'model.json'), '{');
    expect((await store.versions('ae')).map((v) => v.version)).toEqual(['v2', 'v10', 'v9']);
    expect(await store.names()).toEqual(['ae']);
  });

  test('ACTIVE is written atomically and read back', async () => {
    await write('v1', '2026-01-01T00:00:00Z');
    expect(await store.readActive('ae')).toBeUndefined();
    await store.writeActive('ae', 'v1');
    expect(await store.readActive('ae')).toBe('v1');
    expect((await readFile(path.join(dir, 'ae', 'ACTIVE'), 'utf8')).trim()).toBe('v1');
    expect((await readdir(path.join(dir, 'ae'))).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  test('names that could leave the models directory are refused', async () => {
    await expect(store.read('ae', '../../etc')).rejects.toMatchObject({ code: 'MODEL_NOT_FOUND' });
    await expect(store.versions('..')).rejects.toMatchObject({ code: 'MODEL_NOT_FOUND' });
    await expect(store.read('ae', 'v404')).rejects.toMatchObject({ code: 'MODEL_NOT_FOUND' });
  });

  test('registers, reads and clears a shadow; an unreadable SHADOW file is none', async () => {
    await write('v1', '2026-01-01T00:00:00Z');
    expect(await store.readShadow('ae')).toBeUndefined();
    await store.writeShadow('ae', { version: 'v2', since: 1_000 });
    expect(await store.readShadow('ae')).toEqual({ version: 'v2', since: 1_000 });
    await writeFile(path.join(dir, 'ae', 'SHADOW'), '{not json');
    expect(await store.readShadow('ae')).toBeUndefined();
    await store.clearShadow('ae');
    await expect(store.writeShadow('ae', { version: '../x', since: 0 })).rejects.toThrow(/not a valid version/);
  });
});
