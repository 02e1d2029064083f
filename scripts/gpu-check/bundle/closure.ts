/**
 * The production packages a bundle needs: the runtime dependency closure of a few root packages, resolved the
 * way Node resolves them (nearest node_modules upwards, so nested copies stay nested), minus packages that only
 * install-time scripts or command-line tools use.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

export interface BundledPackage {
  readonly name: string;
  readonly version: string;
  /** Absolute directory of the installed package. */
  readonly dir: string;
  /** Where it goes inside the bundle, relative to the project root (e.g. `node_modules/webgpu`). */
  readonly dest: string;
  readonly main?: string;
}

interface PackageJson {
  name: string;
  version: string;
  main?: string;
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
}

/**
 * Dependencies nothing imports at run time: type packages, onnxruntime-node's download-at-install helpers and
 * tfjs's converter command-line tool.
 */
export const RUNTIME_EXCLUDED: readonly (string | RegExp)[] = [
  /^@types\//,
  '@webgpu/types',
  'adm-zip',
  'global-agent',
  'argparse',
  'chalk',
  'core-js',
  'regenerator-runtime',
  'yargs',
];

const excluded = (name: string, rules: readonly (string | RegExp)[]) =>
  rules.some((r) => (typeof r === 'string' ? r === name : r.test(name)));

/** Directory of `name` as Node would find it from `fromDir`, or undefined. */
export function resolvePackageDir(name: string, fromDir: string): string | undefined {
  let dir = fromDir;
  for (;;) {
    const candidate = path.join(dir, 'node_modules', name);
    if (existsSync(path.join(candidate, 'package.json'))) return candidate;
    const parent = path.dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

function readPackage(dir: string): PackageJson {
  return JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as PackageJson;
}

/** Breadth-first closure from `roots` (resolved from `projectRoot`); throws when a required dependency is missing. */
export function packageClosure(
  roots: readonly string[],
  projectRoot: string,
  exclude: readonly (string | RegExp)[] = RUNTIME_EXCLUDED,
): BundledPackage[] {
  const seen = new Map<string, BundledPackage>();
  const queue: { name: string; from: string; optional: boolean }[] = roots.map((name) => ({
    name,
    from: projectRoot,
    optional: false,
  }));
  while (queue.length > 0) {
    const next = queue.shift();
    if (!next || excluded(next.name, exclude)) continue;
    const dir = resolvePackageDir(next.name, next.from);
    if (!dir) {
      if (next.optional) continue;
      throw new Error(`package ${next.name} (needed from ${next.from}) is not installed`);
    }
    if (seen.has(dir)) continue;
    const pkg = readPackage(dir);
    const dest = path.relative(projectRoot, dir);
    if (dest.startsWith('..')) throw new Error(`package ${next.name} resolves outside the project: ${dir}`);
    seen.set(dir, { name: pkg.name, version: pkg.version, dir, dest, main: pkg.main });
    for (const dep of Object.keys(pkg.dependencies ?? {})) queue.push({ name: dep, from: dir, optional: false });
    for (const dep of Object.keys(pkg.optionalDependencies ?? {})) queue.push({ name: dep, from: dir, optional: true });
  }
  return [...seen.values()].sort((a, b) => a.dest.localeCompare(b.dest));
}
