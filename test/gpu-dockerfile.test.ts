/**
 * Dockerfile.gpu cannot be built here (no Docker engine), so its contract is checked statically: the two targets
 * and their CUDA bases, non-root final stages, a health check on /healthz for serve, entry points that exist in
 * the build output, no compilers in final stages, and build-context paths that exist and are not dockerignored.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from 'vitest';

const root = path.resolve(import.meta.dirname, '..');
const dockerfile = readFileSync(path.join(root, 'Dockerfile.gpu'), 'utf8');
const dockerignore = readFileSync(path.join(root, '.dockerignore'), 'utf8')
  .split('\n')
  .map((l) => l.trim())
  .filter((l) => l.length > 0 && !l.startsWith('#'));

interface Stage {
  readonly from: string;
  readonly name: string;
  readonly lines: string[];
}

/** Stages with their instructions, continuation lines joined. */
function stages(text: string): Stage[] {
  const joined = text.replace(/\\\n/g, ' ').split('\n');
  const out: Stage[] = [];
  for (const line of joined) {
    const m = /^FROM\s+(\S+)(?:\s+AS\s+(\S+))?/i.exec(line);
    if (m) out.push({ from: m[1], name: m[2] ?? '', lines: [] });
    else if (out.length > 0 && line.trim() && !line.trim().startsWith('#')) out[out.length - 1].lines.push(line.trim());
  }
  return out;
}

const all = stages(dockerfile);
const stage = (name: string): Stage => {
  const s = all.find((x) => x.name === name);
  if (!s) throw new Error(`no stage ${name}`);
  return s;
};
const instr = (s: Stage, kind: string) => s.lines.filter((l) => l.toUpperCase().startsWith(`${kind} `));

describe('Dockerfile.gpu', () => {
  test('train runs on CUDA 11.2 + cuDNN 8.1 with tfjs-node-gpu 4.22, serve on CUDA 12 + cuDNN 9 with ORT cuda12', () => {
    expect(stage('train').from).toBe('nvidia/cuda:11.2.2-cudnn8-runtime-ubuntu20.04');
    expect(stage('serve').from).toBe('nvidia/cuda:12.4.1-cudnn-runtime-ubuntu22.04');
    expect(stage('deps-train').lines.join('\n')).toContain('@tensorflow/tfjs-node-gpu@4.22.0');
    expect(stage('deps-serve').lines.join('\n')).toMatch(/ENV ONNXRUNTIME_NODE_INSTALL=cuda12/);
    // The CUDA provider is asserted at build time, so a skipped download fails the build instead of the service.
    expect(stage('deps-serve').lines.join('\n')).toContain('libonnxruntime_providers_cuda.so');
    expect(instr(stage('deps-serve'), 'COPY').join('\n')).not.toContain('.npmrc');
  });

  test('final stages run as a non-root user, copy only node (no npm), and install no build tools', () => {
    for (const name of ['train', 'serve']) {
      const s = stage(name);
      const user = instr(s, 'USER');
      expect(user).toHaveLength(1);
      expect(user[0]).not.toMatch(/USER\s+(root|0)\b/);
      const text = s.lines.join('\n');
      expect(text).not.toMatch(/\b(g\+\+|gcc|make|build-essential|python3)\b/);
      expect(text).not.toContain('lib/node_modules/npm');
      expect(text).toContain('COPY --from=node /usr/local/bin/node /usr/local/bin/node');
    }
  });

  test('serve checks /healthz and starts the API and workers; train starts the training CLI; retrain the retrain role', () => {
    const serve = stage('serve').lines.join('\n');
    expect(serve).toMatch(/HEALTHCHECK .*CMD .*\/healthz/);
    expect(instr(stage('serve'), 'ENTRYPOINT')[0]).toContain('"dist/src/main.js"');
    // Retraining runs in the retrain image (GPU training), not beside the API.
    expect(instr(stage('serve'), 'CMD').at(-1)).toBe('CMD ["api,worker,scheduler"]');
    expect(instr(stage('retrain'), 'ENTRYPOINT')[0]).toContain('"dist/src/main.js"');
    expect(instr(stage('retrain'), 'CMD').at(-1)).toBe('CMD ["retrain"]');
    expect(serve).toMatch(/API_HOST=0\.0\.0\.0/);
    expect(instr(stage('train'), 'ENTRYPOINT')[0]).toContain('"dist/scripts/train.js"');
    // The compiled entry points come from these sources, which the build stage compiles.
    expect(existsSync(path.join(root, 'src/main.ts'))).toBe(true);
    expect(existsSync(path.join(root, 'scripts/train.ts'))).toBe(true);
    expect(stage('build').lines.join('\n')).toContain('npm run build');
  });

  test('every path copied from the build context exists and is not excluded by .dockerignore', () => {
    const sources = all.flatMap((s) =>
      instr(s, 'COPY')
        .filter((l) => !l.includes('--from='))
        .flatMap((l) => l.replace(/--\S+/g, '').split(/\s+/).slice(1, -1)),
    );
    expect(sources).toEqual(expect.arrayContaining(['package-lock.json', 'tsconfig.build.json', 'src', 'models']));
    for (const src of sources) {
      expect(existsSync(path.join(root, src)), src).toBe(true);
      expect(dockerignore, src).not.toContain(src);
    }
  });

  test('.dockerignore keeps dependencies, data, results, tfjs checkpoints and git history out of the context', () => {
    for (const entry of ['node_modules', '.data', '.run', 'reports', 'bench-results', 'models/**/tfjs', '.git'])
      expect(dockerignore).toContain(entry);
  });
});
