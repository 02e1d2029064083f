/**
 * For the forecast bench: a copy of a models directory in which the anomaly and fault models each have a shadow,
 * a second version with the champion's weights under another name (what a retrained candidate costs: the same
 * architecture run once more on its own inputs), registered in models/<name>/SHADOW.
 */
import { cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ModelStore } from '../../src/inference/model-store.js';

export async function modelsWithShadows(
  dir: string,
): Promise<{ dir: string; shadowed: string[]; remove(): Promise<void> }> {
  const copy = await mkdtemp(path.join(tmpdir(), 'fs-bench-shadow-'));
  await cp(dir, copy, { recursive: true });
  const store = new ModelStore(copy);
  const shadowed: string[] = [];
  for (const name of await store.names()) {
    const versions = await store.versions(name);
    const pinned = await store.readActive(name);
    const active = versions.find((v) => v.version === pinned) ?? versions[0];
    if (active.metadata.family !== 'anomaly' && active.metadata.family !== 'fault') continue;
    await cp(active.dir, path.join(copy, name, 'bench-shadow'), { recursive: true });
    await store.writeActive(name, active.version);
    await store.writeShadow(name, { version: 'bench-shadow', since: 0 });
    shadowed.push(name);
  }
  return { dir: copy, shadowed, remove: () => rm(copy, { recursive: true, force: true }) };
}
