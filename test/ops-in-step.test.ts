/**
 * The shipped alert rules and Grafana dashboard read only metrics the product exports and tables its migrations
 * create. (promtool checks the rules' syntax in .ci/run; this checks they point at something real.)
 */
import { readdir, readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';

const root = new URL('../', import.meta.url);
const read = (p: string) => readFile(new URL(p, root), 'utf8');

async function sources(dir: string): Promise<string> {
  const entries = await readdir(new URL(dir, root), { recursive: true, withFileTypes: true });
  const files = entries.filter((e) => e.isFile() && e.name.endsWith('.ts') && !e.name.endsWith('.test.ts'));
  return (await Promise.all(files.map((f) => readFile(`${f.parentPath}/${f.name}`, 'utf8')))).join('\n');
}

const used = (text: string) =>
  new Set([...text.matchAll(/\b(fleetsense_[a-z_]+)/g)].map((m) => m[1].replace(/_(bucket|count|sum)$/, '')));

describe('ops/', () => {
  it('alerts and dashboard use only metrics registered in src/', async () => {
    const registered = new Set([...(await sources('src')).matchAll(/name: '(fleetsense_[a-z_]+)'/g)].map((m) => m[1]));
    const referenced = new Set([
      ...used(await read('ops/prometheus/alerts.yml')),
      ...used(await read('ops/grafana/fleetsense.json')),
    ]);
    expect(referenced.size).toBeGreaterThan(8);
    expect([...referenced].filter((m) => !registered.has(m))).toEqual([]);
  });

  it('the dashboard is valid JSON whose QuestDB panels read tables the migrations create', async () => {
    const dash = JSON.parse(await read('ops/grafana/fleetsense.json'));
    const migrations = (
      await Promise.all(
        (await readdir(new URL('src/telemetry/migrations', root))).map((f) => read(`src/telemetry/migrations/${f}`)),
      )
    ).join('\n');
    const tables = new Set([...migrations.matchAll(/CREATE TABLE IF NOT EXISTS (\w+)/g)].map((m) => m[1]));
    const sql: string[] = dash.panels.flatMap((p: { targets?: { rawSql?: string }[] }) =>
      (p.targets ?? []).flatMap((t) => (t.rawSql ? [t.rawSql] : [])),
    );
    expect(sql.length).toBeGreaterThan(2);
    for (const s of sql) expect(tables, s).toContain(/FROM (\w+)/.exec(s)?.[1]);
  });
});
