/**
 * gpu-bundle logic without building the archive (that takes minutes; `npx tsx scripts/gpu-bundle.ts` does it):
 * the runtime package closure, the linux-x64 pruning rules, the launcher (run for real with a stand-in node and
 * no node on PATH), and the glibc floor in the manifest.
 */
import { execFile } from 'node:child_process';
import { chmod, mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { packageClosure } from '../scripts/gpu-check/bundle/closure.js';
import { launcherScript, newestSymbolVersion } from '../scripts/gpu-check/bundle/launcher.js';
import { keepFile } from '../scripts/gpu-check/bundle/prune.js';
import { EXTERNAL_ROOTS } from '../scripts/gpu-check/bundle/steps.js';

const run = promisify(execFile);
const root = path.resolve(import.meta.dirname, '..');

describe('packageClosure', () => {
  test('follows runtime dependencies and leaves out install-time and CLI-only ones', () => {
    const names = packageClosure(EXTERNAL_ROOTS, root).map((p) => p.name);
    for (const needed of ['onnxruntime-node', 'onnxruntime-common', '@tensorflow/tfjs-core', 'seedrandom', 'webgpu'])
      expect(names).toContain(needed);
    for (const unneeded of ['adm-zip', 'global-agent', 'core-js', 'yargs', '@webgpu/types', '@types/seedrandom'])
      expect(names).not.toContain(unneeded);
    expect(new Set(names).size).toBe(names.length);
  });

  test('places each package where Node resolves it (nested copies stay nested), and fails on a missing one', async () => {
    const tree = await mkdtemp(path.join(os.tmpdir(), 'fleetsense-closure-'));
    const pkg = async (dir: string, json: object) => {
      await mkdir(path.join(tree, dir), { recursive: true });
      await writeFile(path.join(tree, dir, 'package.json'), JSON.stringify(json));
    };
    try {
      await pkg('node_modules/a', {
        name: 'a',
        version: '1.0.0',
        dependencies: { b: '^2' },
        optionalDependencies: { z: '1' },
      });
      await pkg('node_modules/a/node_modules/b', { name: 'b', version: '2.0.0' });
      await pkg('node_modules/b', { name: 'b', version: '1.0.0' });
      await pkg('node_modules/c', { name: 'c', version: '1.0.0', dependencies: { b: '^1', missing: '1' } });
      const closure = packageClosure(['a'], tree);
      expect(closure.map((p) => [p.dest, p.version])).toEqual([
        [path.join('node_modules', 'a'), '1.0.0'],
        [path.join('node_modules', 'a', 'node_modules', 'b'), '2.0.0'],
      ]); // the absent optional dependency z is skipped
      expect(() => packageClosure(['c'], tree)).toThrow(
        /package missing \(needed from .*node_modules\/c\) is not installed/,
      );
    } finally {
      await rm(tree, { recursive: true, force: true });
    }
  });
});

describe('keepFile', () => {
  const tfjs = { name: '@tensorflow/tfjs-backend-wasm', main: 'dist/tf-backend-wasm.node.js' };
  test.each([
    [tfjs, 'dist/tf-backend-wasm.node.js', true],
    [tfjs, 'dist/tfjs-backend-wasm-simd.wasm', true],
    [tfjs, 'dist/tf-backend-wasm.min.js', false],
    [tfjs, 'dist/index.js', false],
    [tfjs, 'package.json', true],
    [{ name: 'onnxruntime-node' }, 'bin/napi-v6/linux/x64/libonnxruntime.so.1', true],
    [{ name: 'onnxruntime-node' }, 'bin/napi-v6/linux/x64/libonnxruntime_providers_cuda.so', false],
    [{ name: 'onnxruntime-node' }, 'bin/napi-v6/linux/arm64/onnxruntime_binding.node', false],
    [{ name: 'onnxruntime-node' }, 'bin/napi-v6/win32/x64/onnxruntime.dll', false],
    [{ name: 'onnxruntime-node' }, 'dist/binding.js', true],
    [{ name: 'onnxruntime-node' }, 'script/install.js', false],
    [{ name: 'webgpu' }, 'dist/linux-x64/dawn.node', true],
    [{ name: 'webgpu' }, 'dist/darwin-universal/dawn.node', false],
    [{ name: 'webgpu' }, 'build/postinstall.js', false],
    [{ name: 'seedrandom' }, 'lib/xor4096.js', true],
    [{ name: 'seedrandom' }, 'coverage/lcov.info', false],
    [{ name: 'seedrandom' }, '.nyc_output/x.json', false],
    [{ name: 'long' }, 'dist/long.js.map', false],
    [{ name: 'long' }, 'index.d.ts', false],
    [{ name: 'long' }, 'README.md', false],
    [{ name: 'long' }, 'LICENSE', true],
  ])('%o %s -> %s', (pkg, rel, kept) => {
    expect(keepFile(pkg, rel)).toBe(kept);
  });
});

describe('launcher', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'fleetsense-gpu-launcher-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  test('runs the bundled node on the bundled app with the bundled lib first, needing no node on PATH', async () => {
    const bundle = path.join(dir, 'fleetsense-gpu-check');
    await mkdir(path.join(bundle, 'bin'), { recursive: true });
    // A stand-in for bin/node that reports how it was started.
    await writeFile(path.join(bundle, 'bin', 'node'), '#!/bin/sh\necho "lib=$LD_LIBRARY_PATH"\necho "args=$*"\n');
    await chmod(path.join(bundle, 'bin', 'node'), 0o755);
    await writeFile(path.join(bundle, 'gpu-check'), launcherScript());
    await chmod(path.join(bundle, 'gpu-check'), 0o755);
    const tools = path.join(dir, 'tools'); // PATH with dirname only: no node anywhere
    await mkdir(tools);
    await symlink((await run('/bin/sh', ['-c', 'command -v dirname'])).stdout.trim(), path.join(tools, 'dirname'));

    const env = { PATH: tools, LD_LIBRARY_PATH: '/opt/host/lib' };
    const { stdout } = await run(path.join(bundle, 'gpu-check'), ['--windows', '8'], { env, cwd: os.tmpdir() });
    expect(stdout).toBe(`lib=${bundle}/lib:/opt/host/lib\nargs=${bundle}/app/gpu-check.mjs --windows 8\n`);

    const bare = await run(path.join(bundle, 'gpu-check'), [], { env: { PATH: tools }, cwd: bundle });
    expect(bare.stdout).toBe(`lib=${bundle}/lib\nargs=${bundle}/app/gpu-check.mjs\n`);

    // On a host whose glibc is older than the bundled loader needs, the host's own loader can be used instead.
    const system = await run(path.join(bundle, 'gpu-check'), [], { env: { PATH: tools, GPU_CHECK_VULKAN: 'system' } });
    expect(system.stdout).toBe(`lib=\nargs=${bundle}/app/gpu-check.mjs\n`);
  });
});

describe('newestSymbolVersion', () => {
  test('is the highest GLIBC_ (or GLIBCXX_) symbol version across binaries, compared numerically', () => {
    const a = '0000 DF *UND* 0 (GLIBC_2.2.5) malloc\n0000 DF *UND* 0 (GLIBC_2.17) clock_gettime';
    const b = '0000 DF *UND* 0 (GLIBC_2.9) pipe2\n0000 DF *UND* 0 (GLIBCXX_3.4.30) x\n0 (GLIBCXX_3.4.9) y';
    expect(newestSymbolVersion([a, b])).toBe('2.17');
    expect(newestSymbolVersion([a, b], 'GLIBCXX')).toBe('3.4.30');
    expect(newestSymbolVersion([''])).toBe('0');
  });
});
