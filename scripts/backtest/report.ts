/**
 * The backtest's report files: scorecard JSON, a markdown summary and an SVG timeline (one row per labelled fault:
 * onset → failure, a dot where the first recommendation came; false recommendations on the bottom row).
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { BacktestResult } from '../../src/forecast/backtest.js';
import { scorecardSummary } from '../../src/forecast/scorecard.js';
import { escapeXml } from '../../training/evaluate/svg.js';

const iso = (ms: number) => new Date(ms).toISOString().replace('.000Z', 'Z');

export function markdown(r: BacktestResult, command: string): string {
  const s = r.scorecard;
  const rows = s.perFault.map(
    (f) =>
      `| ${f.device} | ${f.faultType} | ${iso(f.failureTs)} | ${f.caught ? 'yes' : '**no**'} | ${
        f.leadMin === null ? '' : f.leadMin.toFixed(1)
      } | ${f.actions} |`,
  );
  return [
    `# Backtest ${iso(s.from)} → ${iso(s.to)}`,
    '',
    ...scorecardSummary(s).map((l) => `- ${l}`),
    '',
    `Replayed ${r.slots} slots (${r.shards} shards) in ${r.seconds.toFixed(0)} s; horizon ${s.horizonMs / 60_000} min.`,
    `Command: \`${command}\``,
    '',
    '| device | fault | failure | caught | lead (min) | actions before failure |',
    '| --- | --- | --- | --- | ---: | ---: |',
    ...rows,
    '',
  ].join('\n');
}

export function timelineSvg(r: BacktestResult): string {
  const s = r.scorecard;
  const W = 900;
  const rowH = 16;
  const left = 220;
  const faults = s.perFault;
  const H = (faults.length + 2) * rowH + 40;
  const x = (t: number) => left + ((t - s.from) / Math.max(1, s.to - s.from)) * (W - left - 10);
  const labels = new Map(r.labels.map((l) => [`${l.device}@${l.failureTs}`, l]));
  const parts: string[] = [];
  faults.forEach((f, i) => {
    const y = 30 + i * rowH;
    const l = labels.get(`${f.device}@${f.failureTs}`);
    const onset = l?.onsetTs ?? f.failureTs;
    parts.push(`<text x="4" y="${y + 4}" font-size="10">${escapeXml(`${f.device} ${f.faultType}`)}</text>`);
    parts.push(`<line x1="${x(onset)}" x2="${x(f.failureTs)}" y1="${y}" y2="${y}" stroke="#999" stroke-width="4"/>`);
    parts.push(`<circle cx="${x(f.failureTs)}" cy="${y}" r="3" fill="#000"/>`);
    if (f.leadMin !== null)
      parts.push(`<circle cx="${x(f.failureTs - f.leadMin * 60_000)}" cy="${y}" r="4" fill="#2a7"/>`);
  });
  const fy = 30 + faults.length * rowH + rowH;
  parts.push(`<text x="4" y="${fy + 4}" font-size="10">false recommendations</text>`);
  const falseTs = r.recommendations
    .filter((rec) => !faults.some((f) => f.caught && rec.ts <= f.failureTs && rec.ts >= f.failureTs - s.horizonMs * 4))
    .map((rec) => rec.ts);
  for (const t of falseTs) parts.push(`<line x1="${x(t)}" x2="${x(t)}" y1="${fy - 5}" y2="${fy + 5}" stroke="#c33"/>`);
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" font-family="sans-serif">`,
    `<text x="4" y="14" font-size="12">Backtest ${iso(s.from)} → ${iso(s.to)}: grey onset→failure, black failure, green first recommendation, red other recommendations</text>`,
    ...parts,
    '</svg>',
  ].join('\n');
}

export async function writeReport(dir: string, r: BacktestResult, command: string): Promise<string[]> {
  await mkdir(dir, { recursive: true });
  const files = [path.join(dir, 'scorecard.json'), path.join(dir, 'scorecard.md'), path.join(dir, 'timeline.svg')];
  await writeFile(
    files[0],
    `${JSON.stringify({ ...r.scorecard, slots: r.slots, shards: r.shards, seconds: r.seconds }, null, 2)}\n`,
  );
  await writeFile(files[1], markdown(r, command));
  await writeFile(files[2], timelineSvg(r));
  return files;
}
