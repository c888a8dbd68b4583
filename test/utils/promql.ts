import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';

const ROOT = join(__dirname, '../..');

/** PromQL words that look like identifiers but name no series. */
const KEYWORDS = new Set(['and', 'or', 'unless', 'bool', 'offset', 'inf', 'nan', 'atan2']);

/**
 * The series names a PromQL expression reads. Not a parser: strings, label matchers, ranges,
 * grouping clauses and Grafana variables are blanked first, then every identifier not
 * followed by `(` (a function or aggregation) is a metric name.
 */
export function metricNamesIn(expression: string): string[] {
  const blanked = expression
    .replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`/g, '""')
    .replace(/\{[^}]*\}/g, ' ')
    .replace(/\[[^\]]*\]/g, ' ')
    .replace(/\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' ')
    .replace(/\$\{?\w+\}?/g, ' ');
  const names = new Set<string>();
  for (const match of blanked.matchAll(/(?<![\w.:])[a-zA-Z_:][\w:]*/g)) {
    const name = match[0];
    const rest = blanked.slice((match.index ?? 0) + name.length);
    if (/^\s*\(/.test(rest) || KEYWORDS.has(name.toLowerCase())) continue;
    names.add(name);
  }
  return [...names];
}

/** Label names an expression filters or groups on: matchers, and `by`/`without`/`on`/... lists. */
export function labelNamesIn(expression: string): string[] {
  const withoutStrings = expression.replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`/g, '""');
  const names = new Set<string>();
  for (const [, body] of withoutStrings.matchAll(/\{([^}]*)\}/g)) {
    for (const [, name] of body.matchAll(/([a-zA-Z_]\w*)\s*(?:=~|!~|!=|=)/g)) names.add(name);
  }
  for (const [, list] of withoutStrings.matchAll(
    /\b(?:by|without|on|ignoring|group_left|group_right)\s*\(([^)]*)\)/g,
  )) {
    for (const name of list.split(',').map((n) => n.trim())) if (name) names.add(name);
  }
  return [...names];
}

export interface AlertRule {
  alert: string;
  expr: string;
  annotations?: Record<string, string>;
}

export function alertRules(): AlertRule[] {
  const doc = parse(readFileSync(join(ROOT, 'docker/prometheus/alerts.yml'), 'utf8')) as {
    groups: { rules: AlertRule[] }[];
  };
  return doc.groups.flatMap((g) => g.rules);
}

export interface DashboardPanel {
  title: string;
  type: string;
  targets?: { expr: string }[];
}

export interface Dashboard {
  file: string;
  uid: string;
  title: string;
  panels: DashboardPanel[];
}

export const DASHBOARD_DIR = 'docker/grafana/dashboards';

export function dashboards(): Dashboard[] {
  return readdirSync(join(ROOT, DASHBOARD_DIR))
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((file) => ({
      file,
      ...(JSON.parse(readFileSync(join(ROOT, DASHBOARD_DIR, file), 'utf8')) as Omit<Dashboard, 'file'>),
    }));
}

/** Every expression an operator sees: each alert and each panel target, named by where it lives. */
export function monitoringExpressions(): { where: string; expr: string }[] {
  return [
    ...alertRules().map((r) => ({ where: `alert ${r.alert}`, expr: r.expr })),
    ...dashboards().flatMap((d) =>
      d.panels.flatMap((p) => (p.targets ?? []).map((t) => ({ where: `${d.file}: "${p.title}"`, expr: t.expr }))),
    ),
  ];
}
