import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { SPEC_METRICS } from '../utils/spec-metrics';

/**
 * No Docker engine runs on the build machines, so the docker/ files are checked statically:
 * they parse, and what they say agrees with the code (entry point, probes, metric names).
 */
const ROOT = join(__dirname, '../..');
const read = (path: string): string => readFileSync(join(ROOT, path), 'utf8');
const yamlOf = (path: string): any => parse(read(path));

function metricNamesIn(expression: string): string[] {
  return [...expression.matchAll(/\b([a-z_]+?)(?:_bucket|_sum|_count)?\b(?=\s*[{[)]|\s*$|\s*[><=])/g)]
    .map((m) => m[1])
    .filter(
      (name) => name.includes('_') && !['histogram_quantile', 'clamp_min', 'status_code', 'model_name'].includes(name),
    );
}

describe('docker/ (statically checked)', () => {
  it('builds a multi-stage Node 22 image that runs the start:prod entry point as a non-root user', () => {
    const dockerfile = read('docker/Dockerfile');
    expect(dockerfile.match(/^FROM /gm)?.length).toBeGreaterThanOrEqual(2);
    expect(dockerfile).toMatch(/^FROM node:22[^\n]* AS runtime$/m);
    expect(dockerfile).toMatch(/^USER 10001/m);
    const startProd = JSON.parse(read('package.json')).scripts['start:prod'] as string;
    const entry = startProd.replace(/^node /, '');
    expect(dockerfile).toContain(`CMD ["node", "${entry}"]`);
    expect(dockerfile).toContain('npm ci');
  });

  it('composes api, postgres, redis, prometheus and grafana, with the api waiting for healthy dependencies', () => {
    const compose = yamlOf('docker/compose.yaml');
    expect(Object.keys(compose.services).sort()).toEqual(['api', 'grafana', 'postgres', 'prometheus', 'redis']);
    expect(compose.services.api.depends_on.postgres.condition).toBe('service_healthy');
    expect(compose.services.api.environment.DATABASE_URL).toMatch(/^postgres:\/\//);
    for (const secret of Object.values<{ file: string }>(compose.secrets)) {
      expect(read(join('docker', secret.file)).length).toBeGreaterThan(12);
    }
  });

  it('probes liveness on /health/live and readiness on /health/ready in Kubernetes', () => {
    const deployment = yamlOf('docker/k8s/deployment.yaml');
    const container = deployment.spec.template.spec.containers[0];
    expect(container.livenessProbe.httpGet.path).toBe('/health/live');
    expect(container.readinessProbe.httpGet.path).toBe('/health/ready');
    expect(container.securityContext.allowPrivilegeEscalation).toBe(false);
    expect(deployment.spec.template.spec.securityContext.runAsNonRoot).toBe(true);
    for (const file of readdirSync(join(ROOT, 'docker/k8s'))) expect(() => yamlOf(`docker/k8s/${file}`)).not.toThrow();
  });

  it('alerts and charts only on metrics the API exposes', () => {
    const rules = yamlOf('docker/prometheus/alerts.yml').groups.flatMap((g: { rules: { expr: string }[] }) => g.rules);
    const dashboard = JSON.parse(read('docker/grafana/dashboards/transparency-api.json'));
    const expressions: string[] = [
      ...rules.map((r: { expr: string }) => r.expr),
      ...dashboard.panels.flatMap((p: { targets: { expr: string }[] }) => p.targets.map((t) => t.expr)),
    ];
    const used = new Set(expressions.flatMap(metricNamesIn));
    expect([...used].filter((name) => !SPEC_METRICS.includes(name) && name !== 'up')).toEqual([]);
    expect(used.size).toBeGreaterThan(10);
    expect(yamlOf('docker/prometheus/prometheus.yml').rule_files).toContain('/etc/prometheus/alerts.yml');
  });
});
