/**
 * The model registry on disk: `models/<name>/<version>/{model.json, model.onnx}` as training writes them, and
 * `models/<name>/ACTIVE` naming the version to serve (written atomically: temp file, then rename). Without an
 * ACTIVE file the newest version (by createdAt, then version name) is served. `models/<name>/SHADOW` (JSON
 * `{version, since}`) names the candidate that runs beside the champion without being served (src/forecast/shadow.ts).
 */
import { access, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { AppError } from '../errors.js';
import type { ModelMetadata } from '../features/model-metadata.js';

export interface StoredVersion {
  readonly name: string;
  readonly version: string;
  readonly dir: string;
  readonly onnxPath: string;
  readonly metadata: ModelMetadata;
}

/** A candidate running in shadow: scored beside the champion every forecast run, never served or acted on. */
export interface ShadowRegistration {
  readonly version: string;
  /** Epoch ms the shadow started: its comparison counts only scores and labels from then on. */
  readonly since: number;
}

const SAFE = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

/** Names and versions become path segments: refuse anything that could walk out of the models directory. */
export function assertSafeSegment(kind: 'model' | 'version', value: string): void {
  if (!SAFE.test(value) || value.length > 128) {
    throw new AppError('MODEL_NOT_FOUND', `${kind} "${value}" is not a valid ${kind} name`, { [kind]: value });
  }
}

/** Newest first: createdAt descending, then version names in natural order descending (v10 after v9). */
export function newestFirst(a: StoredVersion, b: StoredVersion): number {
  const t = Date.parse(b.metadata.createdAt) - Date.parse(a.metadata.createdAt);
  if (Number.isFinite(t) && t !== 0) return t;
  return b.version.localeCompare(a.version, 'en', { numeric: true });
}

async function exists(p: string): Promise<boolean> {
  return access(p).then(
    () => true,
    () => false,
  );
}

export class ModelStore {
  constructor(readonly dir: string) {}

  /** Model names that have at least one servable version. */
  async names(): Promise<string[]> {
    const entries = await readdir(this.dir, { withFileTypes: true }).catch(() => []);
    const names: string[] = [];
    for (const e of entries) {
      if (e.isDirectory() && SAFE.test(e.name) && (await this.versions(e.name)).length > 0) names.push(e.name);
    }
    return names.sort();
  }

  /** Servable versions of `name` (model.json readable, ONNX file present), newest first. Unreadable ones are skipped. */
  async versions(name: string): Promise<StoredVersion[]> {
    assertSafeSegment('model', name);
    const base = path.join(this.dir, name);
    const entries = await readdir(base, { withFileTypes: true }).catch(() => []);
    const out: StoredVersion[] = [];
    for (const e of entries) {
      if (!e.isDirectory() || !SAFE.test(e.name)) continue;
      const v = await this.read(name, e.name).catch(() => undefined);
      if (v) out.push(v);
    }
    return out.sort(newestFirst);
  }

  async read(name: string, version: string): Promise<StoredVersion> {
    assertSafeSegment('model', name);
    assertSafeSegment('version', version);
    const dir = path.join(this.dir, name, version);
    let metadata: ModelMetadata;
    try {
      metadata = JSON.parse(await readFile(path.join(dir, 'model.json'), 'utf8')) as ModelMetadata;
    } catch {
      throw new AppError('MODEL_NOT_FOUND', `model ${name} has no version ${version}`, { model: name, version });
    }
    if (!metadata.onnx)
      throw new AppError('MODEL_NOT_FOUND', `model ${name}@${version} has not been exported to ONNX`, {
        model: name,
        version,
      });
    const onnxPath = path.join(dir, metadata.onnx.file);
    if (!(await exists(onnxPath))) {
      throw new AppError('MODEL_NOT_FOUND', `model ${name}@${version} is missing ${metadata.onnx.file}`, {
        model: name,
        version,
      });
    }
    return { name, version, dir, onnxPath, metadata: { ...metadata, name, version } };
  }

  /** The version named in ACTIVE, if the file exists. */
  async readActive(name: string): Promise<string | undefined> {
    assertSafeSegment('model', name);
    const raw = await readFile(path.join(this.dir, name, 'ACTIVE'), 'utf8').catch(() => undefined);
    const v = raw?.trim();
    return v ? v : undefined;
  }

  /** Persist the active version: write a temp file beside ACTIVE, then rename over it (atomic on one filesystem). */
  async writeActive(name: string, version: string): Promise<void> {
    assertSafeSegment('model', name);
    assertSafeSegment('version', version);
    const target = path.join(this.dir, name, 'ACTIVE');
    const tmp = `${target}.${process.pid}.${Date.now()}.tmp`;
    await writeFile(tmp, `${version}\n`);
    await rename(tmp, target);
  }

  /** The shadow of `name`, if one is registered (an unreadable file counts as none). */
  async readShadow(name: string): Promise<ShadowRegistration | undefined> {
    assertSafeSegment('model', name);
    const raw = await readFile(path.join(this.dir, name, 'SHADOW'), 'utf8').catch(() => undefined);
    if (!raw) return undefined;
    try {
      const s = JSON.parse(raw) as Partial<ShadowRegistration>;
      return typeof s.version === 'string' && SAFE.test(s.version) && Number.isFinite(s.since)
        ? { version: s.version, since: Number(s.since) }
        : undefined;
    } catch {
      return undefined;
    }
  }

  /** Register (or replace) the shadow of `name`; atomic like ACTIVE. */
  async writeShadow(name: string, shadow: ShadowRegistration): Promise<void> {
    assertSafeSegment('model', name);
    assertSafeSegment('version', shadow.version);
    const target = path.join(this.dir, name, 'SHADOW');
    const tmp = `${target}.${process.pid}.${Date.now()}.tmp`;
    await writeFile(tmp, `${JSON.stringify({ version: shadow.version, since: shadow.since })}\n`);
    await rename(tmp, target);
  }

  async clearShadow(name: string): Promise<void> {
    assertSafeSegment('model', name);
    await rm(path.join(this.dir, name, 'SHADOW'), { force: true });
  }
}
