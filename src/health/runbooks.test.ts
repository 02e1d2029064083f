/** Every runbook the API and the alerts link to exists, and the alert rules and ALERTS stay in step. */
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ACTION_TYPES } from '../recommend/types.js';
import { ALERTS, actionRunbook, alertRunbook, healthRunbook, REASON_KINDS } from './runbooks.js';

const root = new URL('../../', import.meta.url);
const file = (p: string) => new URL(p.split('#')[0], root);

describe('runbooks', () => {
  it('one per recommendation type', () => {
    for (const t of ACTION_TYPES) expect(existsSync(file(actionRunbook(t))), actionRunbook(t)).toBe(true);
    expect(actionRunbook('not_a_type')).toBe(healthRunbook('recommendation'));
  });

  it('a section of the health-states runbook per reason kind', () => {
    const text = readFileSync(file(healthRunbook('xid')), 'utf8');
    for (const k of REASON_KINDS) {
      const anchor = healthRunbook(k).split('#')[1];
      expect(text, anchor).toContain(`<a id="${anchor}"></a>`);
    }
  });

  it('every alert rule is in ALERTS and links its runbook, which exists', () => {
    const rules = readFileSync(new URL('ops/prometheus/alerts.yml', root), 'utf8');
    const alerts = [...rules.matchAll(/^\s+- alert: (\w+)$/gm)].map((m) => m[1]);
    const links = [...rules.matchAll(/^\s+runbook_url: (\S+)$/gm)].map((m) => m[1]);
    expect(alerts).toEqual([...ALERTS]);
    expect(links).toEqual(alerts.map(alertRunbook));
    for (const l of links) expect(existsSync(file(l)), l).toBe(true);
  });
});
