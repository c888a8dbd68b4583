import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { alertRules } from '../utils/promql';

/** Every alert an operator can be paged for says, in the repository, what to do about it. */
const ROOT = join(__dirname, '../..');
const RUNBOOKS = 'docs/runbooks.md';
const runbooks = readFileSync(join(ROOT, RUNBOOKS), 'utf8');

/** `## Name` sections, each with its body up to the next section. */
function sections(markdown: string): Map<string, string> {
  const result = new Map<string, string>();
  const parts = markdown.split(/^## /m).slice(1);
  for (const part of parts) {
    const [heading, ...body] = part.split('\n');
    result.set(heading.trim(), body.join('\n'));
  }
  return result;
}

describe('docs/runbooks.md', () => {
  const bySection = sections(runbooks);
  const rules = alertRules();

  it.each(rules.map((r) => [r.alert, r] as const))('has a runbook for %s, linked from the alert', (name, rule) => {
    const body = bySection.get(name);
    expect(body).toBeDefined();
    for (const part of ['**Meaning.**', '**Confirm.**', '**Act.**']) expect(body).toContain(part);
    expect(rule.annotations?.runbook_url).toBe(`${RUNBOOKS}#${name.toLowerCase()}`);
    expect(rule.annotations?.summary).toBeTruthy();
  });

  it('documents no alert that does not exist', () => {
    const alerts = new Set(rules.map((r) => r.alert));
    expect([...bySection.keys()].filter((s) => !alerts.has(s))).toEqual([]);
  });

  it('links only to anchors that exist', () => {
    const anchors = new Set([...bySection.keys()].map((s) => s.toLowerCase()));
    const links = [...runbooks.matchAll(/\]\(#([\w-]+)\)/g)].map((m) => m[1]);
    expect(links.length).toBeGreaterThan(0);
    expect(links.filter((a) => !anchors.has(a))).toEqual([]);
  });
});
