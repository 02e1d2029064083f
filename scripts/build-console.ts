/**
 * `npm run build`'s console step: bundles src/console/web with esbuild into dist/console/ (index.html, main.js,
 * main.css), which the API serves when the source is not there (the Docker image).
 */
import { copyFile, mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import * as esbuild from 'esbuild';
import { BUNDLE_OPTIONS, CONSOLE_BUILT, CONSOLE_SOURCE } from '../src/console/bundle.js';

await rm(CONSOLE_BUILT, { recursive: true, force: true });
await mkdir(CONSOLE_BUILT, { recursive: true });
const result = await esbuild.build({ ...BUNDLE_OPTIONS, outdir: CONSOLE_BUILT, metafile: true });
await copyFile(join(CONSOLE_SOURCE, 'index.html'), join(CONSOLE_BUILT, 'index.html'));
for (const [file, out] of Object.entries(result.metafile?.outputs ?? {}))
  console.log(`console: ${file} ${out.bytes} bytes`);
