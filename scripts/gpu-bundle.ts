/**
 * gpu-bundle: one self-contained tar.xz (at most 60 MiB) that runs gpu-check on an air-gapped Linux x86-64 host
 * with an NVIDIA driver but no Node and no network:
 *
 *   fleetsense-gpu-check/
 *     gpu-check            launcher (/bin/sh): bundled libvulkan first on LD_LIBRARY_PATH, then bin/node app/...
 *     bin/node             this machine's Node (or --node), stripped
 *     lib/libvulkan.so.1   Vulkan loader from Debian's libvulkan1 (the NVIDIA driver provides the ICD)
 *     app/gpu-check.mjs    esbuild bundle of scripts/gpu-check.ts and the product code it uses
 *     node_modules/        tfjs (+ wasm, webgpu backends), webgpu (Dawn), onnxruntime-node: linux-x64 files only
 *     MANIFEST.json        versions, glibc floor, file count, sizes
 *
 * Usage: npx tsx scripts/gpu-bundle.ts [--out .cache/gpu-bundle] [--node /path/to/node] [--no-strip]
 *        [--vulkan-deb file.deb]. Data is simulated at run time by the bundled simulator (no data files).
 */
import { execFileSync } from 'node:child_process';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command } from 'commander';
import {
  type BundleManifest,
  LAUNCHER_NAME,
  launcherScript,
  newestSymbolVersion,
} from './gpu-check/bundle/launcher.js';
import {
  bundleApp,
  copyNode,
  copyPackages,
  copyVulkanLoader,
  dynamicSymbols,
  packTarXz,
  sha256File,
  writeExecutable,
} from './gpu-check/bundle/steps.js';

const MAX_BYTES = 60 * 2 ** 20;
const NAME = 'fleetsense-gpu-check';
const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

const mib = (n: number) => `${(n / 2 ** 20).toFixed(1)} MiB`;
const say = (msg: string) => process.stderr.write(`[gpu-bundle] ${msg}\n`);

function gitCommit(): string {
  try {
    return execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: projectRoot, encoding: 'utf8' }).trim();
  } catch {
    return 'unknown';
  }
}

async function main(): Promise<void> {
  const o = new Command('gpu-bundle')
    .option('--out <dir>', 'output folder (git-ignored)', path.join(projectRoot, '.cache', 'gpu-bundle'))
    .option('--node <path>', 'Node binary to ship (linux-x64)', process.execPath)
    .option('--no-strip', 'ship Node unstripped')
    .option('--vulkan-deb <file>', 'libvulkan1 .deb to use instead of apt-get download')
    .parse()
    .opts<{ out: string; node: string; strip: boolean; vulkanDeb?: string }>();
  if (process.platform !== 'linux' || process.arch !== 'x64')
    throw new Error('build the linux-x64 bundle on linux-x64');
  const started = performance.now();
  const out = path.resolve(o.out);
  const staging = path.join(out, NAME);
  await rm(staging, { recursive: true, force: true });
  await mkdir(staging, { recursive: true });

  const appBytes = await bundleApp(projectRoot, 'scripts/gpu-check.ts', path.join(staging, 'app', 'gpu-check.mjs'));
  say(`app bundled: ${mib(appBytes)}`);
  const pk = await copyPackages(projectRoot, staging);
  say(`${pk.packages.length} packages, ${pk.files} files, ${mib(pk.bytes)}`);
  const node = await copyNode(o.node, path.join(staging, 'bin', 'node'), o.strip);
  say(`node ${node.version}${node.stripped ? ' (stripped)' : ''}`);
  const vulkan = await copyVulkanLoader(path.join(out, 'debs'), path.join(staging, 'lib'), o.vulkanDeb);
  say(`libvulkan1 ${vulkan}`);
  await writeExecutable(path.join(staging, LAUNCHER_NAME), launcherScript());

  const binaries = [
    'bin/node',
    'lib/libvulkan.so.1',
    'node_modules/webgpu/dist/linux-x64/dawn.node',
    'node_modules/onnxruntime-node/bin/napi-v6/linux/x64/libonnxruntime.so.1',
    'node_modules/onnxruntime-node/bin/napi-v6/linux/x64/onnxruntime_binding.node',
  ];
  const symbols = await dynamicSymbols(binaries.map((f) => path.join(staging, f)));
  const requires = Object.fromEntries(
    binaries.map((f, i) => [
      f,
      { glibc: newestSymbolVersion([symbols[i]], 'GLIBC'), glibcxx: newestSymbolVersion([symbols[i]], 'GLIBCXX') },
    ]),
  );
  const manifest: BundleManifest = {
    name: NAME,
    platform: 'linux-x64',
    builtAt: new Date().toISOString(),
    gitCommit: gitCommit(),
    node,
    vulkanLoader: vulkan,
    requires,
    packages: pk.packages.map((p) => ({ name: p.name, version: p.version })),
    files: pk.files + 4,
    bytes: pk.bytes + appBytes,
    run: `tar -xJf ${NAME}-linux-x64.tar.xz && ./${NAME}/${LAUNCHER_NAME}`,
  };
  await writeFile(path.join(staging, 'MANIFEST.json'), `${JSON.stringify(manifest, null, 2)}\n`);

  const archive = path.join(out, `${NAME}-linux-x64.tar.xz`);
  say('compressing (xz -9)...');
  const size = await packTarXz(staging, archive);
  const sha = await sha256File(archive);
  await writeFile(`${archive}.sha256`, `${sha}  ${path.basename(archive)}\n`);
  say(
    `${archive}: ${size} bytes (${mib(size)}), sha256 ${sha}, in ${((performance.now() - started) / 1000).toFixed(0)} s`,
  );
  if (size > MAX_BYTES) throw new Error(`archive is ${mib(size)}, over the ${mib(MAX_BYTES)} limit`);
  process.stdout.write(`${archive}\n`);
}

main().catch((err: unknown) => {
  say(`failed: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
