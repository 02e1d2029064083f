/**
 * Which files of a bundled package are copied: linux-x64 native binaries only (no darwin/win32/arm64 builds, no
 * CUDA provider libraries), no sources, maps, type declarations or docs, and for TensorFlow.js packages only the
 * single-file Node build their `main` names (plus the wasm binaries).
 */
import path from 'node:path';
import type { BundledPackage } from './closure.js';

const OTHER_PLATFORM = /^(darwin|win32|arm64|ia32|darwin-.*|win32-.*|linux-arm.*)$/;
const CUDA_LIBS = /^libonnxruntime_providers_(cuda|tensorrt|shared)\./;
const DOC_DIRS = new Set(['test', 'tests', '__tests__', 'docs', 'doc', 'example', 'examples', 'benchmark', 'coverage']);
const LICENSE = /^(licen[cs]e|notice|copying)/i;

/** True when `rel` (a path inside the package, `/`-separated) belongs in the bundle. */
export function keepFile(pkg: Pick<BundledPackage, 'name' | 'main'>, rel: string): boolean {
  const parts = rel.split('/');
  const base = parts[parts.length - 1];
  if (rel === 'package.json' || (parts.length === 1 && LICENSE.test(base))) return true;
  if (parts.some((p) => OTHER_PLATFORM.test(p)) || CUDA_LIBS.test(base)) return false;
  if (pkg.name.startsWith('@tensorflow/')) {
    const main = pkg.main ? path.posix.normalize(pkg.main) : undefined;
    return rel === main || (parts[0] === 'dist' && base.endsWith('.wasm'));
  }
  if (pkg.name === 'webgpu') return rel === 'index.js' || rel.startsWith('dist/linux-x64/');
  if (pkg.name === 'onnxruntime-node') return rel.startsWith('dist/') ? base.endsWith('.js') : rel.startsWith('bin/');
  if (parts.slice(0, -1).some((p) => DOC_DIRS.has(p) || p.startsWith('.'))) return false;
  if (base.startsWith('.') || /\.(map|md|markdown|tsbuildinfo)$/i.test(base)) return false;
  return !/\.[cm]?ts$/.test(base); // TypeScript sources and declarations
}
