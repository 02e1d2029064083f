/**
 * The top of a V8 CPU profile (`node --cpu-prof`) as text: self time by function, the share of the sampled time,
 * and where each function lives. A bench that misses its target keeps this summary as evidence, not the
 * multi-megabyte .cpuprofile itself.
 *
 *   npx tsx scripts/bench/profile-summary.ts <file.cpuprofile> [top=25] [name,name...]
 *
 * The names (functions) also get their inclusive time: every sample with the function anywhere on its stack.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';

interface ProfileNode {
  readonly id: number;
  readonly callFrame: { functionName: string; url: string; lineNumber: number };
  readonly hitCount?: number;
  readonly children?: readonly number[];
}

interface Profile {
  readonly nodes: readonly ProfileNode[];
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
  readonly startTime: number;
  readonly endTime: number;
}

/** Shorten a frame's file to what says where it is: the package, or the path inside the repository. */
function where(url: string, line: number): string {
  if (!url) return '(native)';
  const file = url.replace(/^file:\/\//, '');
  const nm = file.lastIndexOf('node_modules/');
  const short = nm >= 0 ? file.slice(nm + 'node_modules/'.length) : path.relative(process.cwd(), file) || file;
  return `${short}:${line + 1}`;
}

export function summarize(profile: Profile, top = 25): string {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map<string, number>();
  let total = 0;
  profile.samples.forEach((id, i) => {
    const dt = profile.timeDeltas[i] ?? 0;
    const n = byId.get(id);
    if (!n) return;
    const f = n.callFrame;
    const key = `${f.functionName || '(anonymous)'}  ${where(f.url, f.lineNumber)}`;
    self.set(key, (self.get(key) ?? 0) + dt);
    total += dt;
  });
  const idle = self.get('(idle)  (native)') ?? 0;
  const lines = [
    `sampled ${(total / 1e6).toFixed(2)} s, of which idle ${((100 * idle) / Math.max(1, total)).toFixed(1)} %`,
    'self ms   self %  function  location',
  ];
  for (const [key, us] of [...self].sort((a, b) => b[1] - a[1]).slice(0, top)) {
    lines.push(`${(us / 1000).toFixed(0).padStart(7)}  ${((100 * us) / total).toFixed(1).padStart(6)}  ${key}`);
  }
  return lines.join('\n');
}

/** Per function name: the share of sampled time with it on the stack (callers included once per sample). */
export function inclusive(profile: Profile, names: readonly string[]): string {
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const time = new Map(names.map((n) => [n, 0]));
  let total = 0;
  profile.samples.forEach((id, i) => {
    const dt = profile.timeDeltas[i] ?? 0;
    total += dt;
    const seen = new Set<string>();
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const name = byId.get(at)?.callFrame.functionName ?? '';
      if (time.has(name) && !seen.has(name)) {
        seen.add(name);
        time.set(name, (time.get(name) ?? 0) + dt);
      }
    }
  });
  return [
    'inclusive ms  share  function',
    ...names.map(
      (n) =>
        `${((time.get(n) ?? 0) / 1000).toFixed(0).padStart(12)}  ${((100 * (time.get(n) ?? 0)) / total).toFixed(1).padStart(5)}  ${n}`,
    ),
  ].join('\n');
}

if (process.argv[1]?.endsWith('profile-summary.ts') && process.argv[2]) {
  const profile = JSON.parse(readFileSync(process.argv[2], 'utf8')) as Profile;
  console.log(summarize(profile, Number(process.argv[3] ?? 25)));
  if (process.argv[4]) console.log(inclusive(profile, process.argv[4].split(',')));
}
