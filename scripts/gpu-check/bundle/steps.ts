/**
 * The bundle's build steps, each a small function over a staging folder: bundle the app with esbuild (native
 * packages and TensorFlow.js stay external, as files), copy the pruned production packages, copy and strip Node,
 * unpack the Vulkan loader from Debian's libvulkan1, and pack everything into one tar.xz.
 */
import { execFile } from 'node:child_process';
import { chmod, copyFile, mkdir, mkdtemp, readdir, readFile, realpath, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { build } from 'esbuild';
import { type BundledPackage, packageClosure } from './closure.js';
import { keepFile } from './prune.js';

const run = promisify(execFile);

/** What the app imports at run time from node_modules (everything else is inside the esbuild output). */
export const EXTERNAL_ROOTS = [
  '@tensorflow/tfjs',
  '@tensorflow/tfjs-backend-wasm',
  '@tensorflow/tfjs-backend-webgpu',
  'webgpu',
  'onnxruntime-node',
] as const;

export async function bundleApp(projectRoot: string, entry: string, outFile: string): Promise<number> {
  await build({
    entryPoints: [path.join(projectRoot, entry)],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    outfile: outFile,
    // tfjs must stay one copy shared with the backends the registry imports by name; native addons stay files.
    external: ['@tensorflow/*', 'onnxruntime-node', 'webgpu'],
    // CommonJS dependencies (protobufjs, commander) call require(); an ESM bundle has to provide it.
    banner: {
      js: "import { createRequire as __fleetsenseCreateRequire } from 'node:module';\nconst require = __fleetsenseCreateRequire(import.meta.url);",
    },
    legalComments: 'none',
    logLevel: 'warning',
  });
  return (await stat(outFile)).size;
}

async function* walk(dir: string, rel = ''): AsyncGenerator<string> {
  for (const e of await readdir(path.join(dir, rel), { withFileTypes: true })) {
    const r = rel ? `${rel}/${e.name}` : e.name;
    if (e.isDirectory()) {
      if (e.name !== 'node_modules') yield* walk(dir, r); // nested packages are copied as packages of their own
    } else if (e.isFile() || e.isSymbolicLink()) yield r;
  }
}

/** Copy the kept files of every package in the closure; returns the packages and the bytes copied. */
export async function copyPackages(
  projectRoot: string,
  staging: string,
): Promise<{ packages: BundledPackage[]; bytes: number; files: number }> {
  const packages = packageClosure(EXTERNAL_ROOTS, projectRoot);
  let bytes = 0;
  let files = 0;
  for (const pkg of packages) {
    for await (const rel of walk(pkg.dir)) {
      if (!keepFile(pkg, rel)) continue;
      const to = path.join(staging, pkg.dest, rel);
      await mkdir(path.dirname(to), { recursive: true });
      await copyFile(await realpath(path.join(pkg.dir, rel)), to);
      bytes += (await stat(to)).size;
      files++;
    }
  }
  return { packages, bytes, files };
}

/** Copy Node and strip its symbol table and debug info (the dynamic symbols native addons link against stay). */
export async function copyNode(
  nodePath: string,
  to: string,
  strip: boolean,
): Promise<{ version: string; stripped: boolean }> {
  await mkdir(path.dirname(to), { recursive: true });
  await copyFile(await realpath(nodePath), to);
  await chmod(to, 0o755);
  let stripped = false;
  if (strip) {
    try {
      await run('strip', ['--strip-all', to]);
      stripped = true;
    } catch (err) {
      process.stderr.write(
        `[gpu-bundle] warning: could not strip node (${String(err).split('\n')[0]}); keeping it whole\n`,
      );
    }
  }
  const { stdout } = await run(to, ['--version']);
  return { version: stdout.trim(), stripped };
}

/**
 * libvulkan.so.1 from Debian's libvulkan1 package: `apt-get download` into `debDir` unless a .deb is already there
 * (or given), then `dpkg -x`. Returns the package version.
 */
export async function copyVulkanLoader(debDir: string, toDir: string, deb?: string): Promise<string> {
  await mkdir(debDir, { recursive: true });
  let file = deb;
  if (!file) {
    const find = async () => (await readdir(debDir)).find((f) => /^libvulkan1_.*_amd64\.deb$/.test(f));
    if (!(await find())) await run('apt-get', ['download', 'libvulkan1:amd64'], { cwd: debDir, timeout: 120_000 });
    const found = await find();
    if (!found) throw new Error(`apt-get download libvulkan1 left no .deb in ${debDir}`);
    file = path.join(debDir, found);
  }
  const tmp = await mkdtemp(path.join(os.tmpdir(), 'fleetsense-libvulkan-'));
  try {
    await run('dpkg', ['-x', file, tmp]);
    const lib = path.join(tmp, 'usr/lib/x86_64-linux-gnu/libvulkan.so.1');
    await mkdir(toDir, { recursive: true });
    await copyFile(await realpath(lib), path.join(toDir, 'libvulkan.so.1'));
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
  return path.basename(file).split('_')[1] ?? 'unknown';
}

/** `objdump -T` of each binary (for the glibc floor); empty strings where objdump is missing. */
export async function dynamicSymbols(files: readonly string[]): Promise<string[]> {
  return Promise.all(
    files.map(async (f) => {
      try {
        return (await run('objdump', ['-T', f], { maxBuffer: 256 * 2 ** 20 })).stdout;
      } catch {
        return '';
      }
    }),
  );
}

export async function writeExecutable(file: string, text: string): Promise<void> {
  await writeFile(file, text);
  await chmod(file, 0o755);
}

/** `tar.xz` of `dir` (entries under its base name, sorted, owned by root); returns the archive size in bytes. */
export async function packTarXz(dir: string, archive: string): Promise<number> {
  await rm(archive, { force: true });
  await run(
    'tar',
    [
      '--sort=name',
      '--owner=0',
      '--group=0',
      '--numeric-owner',
      '-cJf',
      archive,
      '-C',
      path.dirname(dir),
      path.basename(dir),
    ],
    { env: { ...process.env, XZ_OPT: `-9 -T${Math.max(1, os.availableParallelism())}` }, maxBuffer: 16 * 2 ** 20 },
  );
  return (await stat(archive)).size;
}

export async function sha256File(file: string): Promise<string> {
  const { createHash } = await import('node:crypto');
  return createHash('sha256')
    .update(await readFile(file))
    .digest('hex');
}
