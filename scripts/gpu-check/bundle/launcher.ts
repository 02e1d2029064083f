/**
 * The bundle's entry script and manifest. The launcher needs only /bin/sh: it puts the bundled Vulkan loader
 * first on the library path (the NVIDIA driver provides the Vulkan ICD it loads) and runs the bundled Node.
 * The bundled loader and Dawn need glibc >= 2.34 (MANIFEST.json lists each binary's floor); on older hosts with
 * their own loader, GPU_CHECK_VULKAN=system leaves the library path alone.
 */

export const LAUNCHER_NAME = 'gpu-check';

export function launcherScript(): string {
  return `#!/bin/sh
# fleetsense gpu-check: measures TensorFlow.js training and ONNX Runtime scoring on this host's GPU (WebGPU over
# Vulkan) and CPU. Needs no Node and no network. Options: ./gpu-check --help. Results: ./gpu-check-results/.
# GPU_CHECK_VULKAN=system uses the host's libvulkan.so.1 instead of the bundled one (which needs glibc >= 2.34).
set -eu
here=$(CDPATH= cd -- "$(dirname -- "$0")" && pwd)
if [ "\${GPU_CHECK_VULKAN:-bundled}" != system ]; then
  LD_LIBRARY_PATH="$here/lib\${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
  export LD_LIBRARY_PATH
fi
exec "$here/bin/node" "$here/app/gpu-check.mjs" "$@"
`;
}

export interface BundleManifest {
  readonly name: string;
  readonly platform: 'linux-x64';
  readonly builtAt: string;
  readonly gitCommit: string;
  readonly node: { readonly version: string; readonly stripped: boolean };
  readonly vulkanLoader: string;
  /** Newest glibc / libstdc++ symbol versions each bundled binary needs from the host. */
  readonly requires: Readonly<Record<string, { readonly glibc: string; readonly glibcxx: string }>>;
  readonly packages: ReadonlyArray<{ readonly name: string; readonly version: string }>;
  readonly files: number;
  readonly bytes: number;
  readonly run: string;
}

/** Largest `GLIBC_x.y[.z]` (or `GLIBCXX_...`) version in objdump -T output; `0` when none. */
export function newestSymbolVersion(objdumpOutputs: readonly string[], prefix: 'GLIBC' | 'GLIBCXX' = 'GLIBC'): string {
  const re = new RegExp(`${prefix}_(\\d+(?:\\.\\d+)+)`, 'g');
  const versions = objdumpOutputs.flatMap((o) => [...o.matchAll(re)].map((m) => m[1]));
  const key = (v: string) => v.split('.').map(Number);
  return versions.reduce((best, v) => {
    const [a, b] = [key(v), key(best)];
    for (let i = 0; i < Math.max(a.length, b.length); i++) {
      if ((a[i] ?? 0) !== (b[i] ?? 0)) return (a[i] ?? 0) > (b[i] ?? 0) ? v : best;
    }
    return best;
  }, '0');
}
