/**
 * The console's browser assets, found one way: when the TypeScript source is present (a checkout: `npm start`, the
 * quick start, the tests), esbuild bundles it in memory once, at the first request, so what is served is always
 * the source as it is; without the source (the Docker image, which holds only dist/), the bundle `npm run build`
 * wrote to dist/console/ is read. esbuild is a dev dependency, so it is imported only on the first path.
 */
import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BuildOptions } from 'esbuild';

export interface ConsoleAsset {
  readonly body: Buffer;
  readonly contentType: string;
}

/** The repository (or image) root: the nearest folder above this module with a package.json. */
export function projectRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const up = dirname(dir);
    if (up === dir) throw new Error('console: no package.json above src/console; cannot find the assets');
    dir = up;
  }
  return dir;
}

const ROOT = projectRoot();
export const CONSOLE_SOURCE = join(ROOT, 'src/console/web');
export const CONSOLE_BUILT = join(ROOT, 'dist/console');
export const RUNBOOKS_DIR = join(ROOT, 'docs/runbooks');

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json',
};
const typeOf = (name: string) => TYPES[name.slice(name.lastIndexOf('.'))] ?? 'application/octet-stream';

/** esbuild's options for the browser bundle: one place for the in-memory build and `npm run build`. */
export const BUNDLE_OPTIONS: BuildOptions = {
  entryPoints: [join(CONSOLE_SOURCE, 'main.ts')],
  bundle: true,
  format: 'esm',
  target: ['chrome110', 'firefox110', 'safari16'],
  minify: true,
  sourcemap: false,
  legalComments: 'none',
  logLevel: 'silent',
};

async function buildInMemory(): Promise<Map<string, ConsoleAsset>> {
  const esbuild = await import('esbuild');
  const result = await esbuild.build({ ...BUNDLE_OPTIONS, outdir: '/console', write: false });
  const assets = new Map<string, ConsoleAsset>();
  for (const file of result.outputFiles ?? []) {
    const name = file.path.slice(file.path.lastIndexOf('/') + 1);
    assets.set(name, { body: Buffer.from(file.contents), contentType: typeOf(name) });
  }
  const html = await readFile(join(CONSOLE_SOURCE, 'index.html'));
  assets.set('index.html', { body: html, contentType: typeOf('index.html') });
  return assets;
}

async function readBuilt(): Promise<Map<string, ConsoleAsset>> {
  if (!existsSync(join(CONSOLE_BUILT, 'index.html')))
    throw new Error(
      `console: neither the source (${CONSOLE_SOURCE}) nor a build (${CONSOLE_BUILT}); run npm run build`,
    );
  const assets = new Map<string, ConsoleAsset>();
  for (const name of await readdir(CONSOLE_BUILT)) {
    assets.set(name, { body: await readFile(join(CONSOLE_BUILT, name)), contentType: typeOf(name) });
  }
  return assets;
}

let loading: Promise<Map<string, ConsoleAsset>> | undefined;

/** The assets by file name (index.html, main.js, main.css), loaded once per process. */
export function consoleAssets(): Promise<Map<string, ConsoleAsset>> {
  loading ??= (existsSync(join(CONSOLE_SOURCE, 'main.ts')) ? buildInMemory() : readBuilt()).catch((err) => {
    loading = undefined; // a failed build is retried on the next request, not cached
    throw err;
  });
  return loading;
}
