import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';

/**
 * Prometheus's own checker over the rule file and the scrape configurations. `.ci/run`
 * installs Debian's `prometheus` package when promtool is missing, so under CI=true a missing
 * promtool fails; elsewhere the suite is skipped with the reason printed.
 */
const ROOT = join(__dirname, '../..');
const PROMTOOL = process.env.PROMTOOL ?? 'promtool';
const probe = spawnSync(PROMTOOL, ['--version'], { encoding: 'utf8' });
const missing =
  probe.error || probe.status !== 0 ? `${PROMTOOL} not found (${probe.error?.message ?? probe.stderr})` : undefined;
const inCi = process.env.CI === 'true';
if (missing && !inCi) {
  console.warn(`Skipping the promtool checks: ${missing}. Install Debian's "prometheus" package to run them.`);
}
const describePromtool: jest.Describe = missing && !inCi ? describe.skip : describe;

function promtool(...args: string[]): { status: number | null; output: string } {
  const run = spawnSync(PROMTOOL, args, { encoding: 'utf8', cwd: ROOT });
  return { status: run.status, output: `${run.stdout}${run.stderr}` };
}

/**
 * `check config` insists that referenced files exist; the configurations name paths inside
 * the Prometheus container. A copy is checked with each such path mapped to its source in
 * this repository.
 */
function checkableCopy(
  file: string,
  paths: Record<string, string>,
  edit: (config: any) => void = () => undefined,
): string {
  const config = parse(readFileSync(join(ROOT, file), 'utf8'));
  edit(config);
  let text = stringify(config);
  for (const [from, to] of Object.entries(paths)) {
    expect(text).toContain(from);
    text = text.split(from).join(join(ROOT, to));
  }
  const copy = join(mkdtempSync(join(tmpdir(), 'tapi-promtool-')), 'prometheus.yml');
  writeFileSync(copy, text);
  return copy;
}

describePromtool('promtool', () => {
  it('is installed (CI installs Debian’s prometheus package)', () => {
    expect(missing).toBeUndefined();
  });

  it('accepts the alert rules', () => {
    const { status, output } = promtool('check', 'rules', 'docker/prometheus/alerts.yml');
    expect(output).toMatch(/SUCCESS: \d+ rules found/);
    expect(status).toBe(0);
  });

  it('accepts the compose Prometheus configuration, its rule file and its metrics-token file', () => {
    const compose = parse(readFileSync(join(ROOT, 'docker/compose.yaml'), 'utf8'));
    const tokenSource = `docker/${String(compose.secrets.metrics_token.file).replace(/^\.\//, '')}`;
    const copy = checkableCopy('docker/prometheus/prometheus.yml', {
      '/etc/prometheus/alerts.yml': 'docker/prometheus/alerts.yml',
      '/run/secrets/metrics_token': tokenSource,
    });
    const { status, output } = promtool('check', 'config', copy);
    expect(output).toContain('SUCCESS');
    expect(status).toBe(0);
  });

  it('accepts the Kubernetes scrape example', () => {
    // Debian builds promtool without Kubernetes discovery: the copy swaps it for a static
    // target; the discovery block itself is checked in docker.spec.ts.
    const copy = checkableCopy(
      'docker/prometheus/kubernetes-scrape.yml',
      {
        '/etc/prometheus/alerts.yml': 'docker/prometheus/alerts.yml',
        '/etc/prometheus/secrets/transparency-api-metrics/token': 'docker/secrets/metrics_token.example',
      },
      (config: { scrape_configs: Record<string, unknown>[] }) => {
        for (const job of config.scrape_configs) {
          delete job.kubernetes_sd_configs;
          job.static_configs = [{ targets: ['transparency-api:80'] }];
        }
      },
    );
    const { status, output } = promtool('check', 'config', copy);
    expect(output).toContain('SUCCESS');
    expect(status).toBe(0);
  });

  it('refuses a broken rule file (the check can fail)', () => {
    const broken = join(mkdtempSync(join(tmpdir(), 'tapi-promtool-')), 'alerts.yml');
    writeFileSync(broken, 'groups:\n  - name: x\n    rules:\n      - alert: Broken\n        expr: sum(rate(x[5m]) >\n');
    expect(promtool('check', 'rules', broken).status).not.toBe(0);
  });
});
