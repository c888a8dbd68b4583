import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, parseAllDocuments } from 'yaml';
import { alertRules, dashboards, labelNamesIn, metricNamesIn, monitoringExpressions } from '../utils/promql';
import { SPEC_METRICS } from '../utils/spec-metrics';

/**
 * No Docker engine or cluster runs on the build machines, so the docker/ files are checked
 * statically: they parse, and what they say agrees with the code and with each other (entry
 * point, probes, the metrics token handed to both the API and Prometheus, metric names).
 */
const ROOT = join(__dirname, '../..');
const read = (path: string): string => readFileSync(join(ROOT, path), 'utf8');
const yamlOf = (path: string): any => parse(read(path));
/** Kubernetes files may hold several documents. */
const k8sDocs = (file: string): any[] => parseAllDocuments(read(`docker/k8s/${file}`)).map((d) => d.toJS());
const k8sObject = (kind: string): any => {
  for (const file of readdirSync(join(ROOT, 'docker/k8s'))) {
    const found = k8sDocs(file).find((d) => d?.kind === kind);
    if (found) return found;
  }
  throw new Error(`no ${kind} under docker/k8s`);
};

/** prom-client's default process metrics, part of the exposed set. */
const isProcessDefault = (name: string): boolean => /^(process|nodejs)_/.test(name);
/** Series Prometheus itself generates for every target. */
const PROMETHEUS_SERIES = ['up'];
const HISTOGRAM_SUFFIX = /_(bucket|sum|count)$/;

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

  describe('compose', () => {
    const compose = yamlOf('docker/compose.yaml');

    it('composes api, postgres, redis, prometheus and grafana, with the api waiting for healthy dependencies', () => {
      expect(Object.keys(compose.services).sort()).toEqual(['api', 'grafana', 'postgres', 'prometheus', 'redis']);
      expect(compose.services.api.depends_on.postgres.condition).toBe('service_healthy');
      expect(compose.services.api.environment.DATABASE_URL).toMatch(/^postgres:\/\//);
      for (const secret of Object.values<{ file: string }>(compose.secrets)) {
        expect(read(join('docker', secret.file)).length).toBeGreaterThan(12);
      }
    });

    it('hands one metrics token to the api (METRICS_TOKEN_FILE) and to Prometheus’s authenticated scrape', () => {
      const tokenFile: string = compose.services.api.environment.METRICS_TOKEN_FILE;
      const secret = /^\/run\/secrets\/([\w-]+)$/.exec(tokenFile)?.[1];
      expect(secret).toBeDefined();
      expect(compose.services.api.secrets).toContain(secret);
      expect(compose.services.prometheus.secrets).toContain(secret);
      expect(compose.secrets[secret!].file).toBeDefined();

      const prometheus = yamlOf('docker/prometheus/prometheus.yml');
      const job = prometheus.scrape_configs.find((j: { job_name: string }) => j.job_name === 'transparency-api');
      expect(job.metrics_path).toBe('/metrics');
      expect(job.authorization).toEqual({ type: 'Bearer', credentials_file: tokenFile });
      expect(job.static_configs[0].targets).toEqual(['api:8000']);
      expect(prometheus.rule_files).toContain('/etc/prometheus/alerts.yml');
      expect(compose.services.prometheus.volumes).toContain('./prometheus/alerts.yml:/etc/prometheus/alerts.yml:ro');
    });

    it('provisions Grafana with the dashboards directory and the Prometheus datasource, on the documented port', () => {
      const grafana = compose.services.grafana;
      const provider = yamlOf('docker/grafana/provisioning/dashboards/dashboards.yml').providers[0];
      expect(grafana.volumes).toContain(`./grafana/dashboards:${provider.options.path}:ro`);
      const datasource = yamlOf('docker/grafana/provisioning/datasources/prometheus.yml').datasources[0];
      expect(datasource.url).toBe('http://prometheus:9090');
      const hostPort = /^(\d+):3000$/.exec(grafana.ports[0])?.[1];
      expect(hostPort).toBeDefined();
      expect(read('docs/operations.md')).toContain(`http://localhost:${hostPort}`);
      const home: string = grafana.environment.GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH;
      expect(home.startsWith(`${provider.options.path}/`)).toBe(true);
      expect(dashboards().map((d) => d.file)).toContain(home.split('/').pop());
      for (const dashboard of dashboards()) {
        for (const panel of dashboard.panels)
          expect((panel as { datasource?: { uid: string } }).datasource?.uid).toBe(datasource.uid);
      }
    });
  });

  describe('Kubernetes', () => {
    const deployment = yamlOf('docker/k8s/deployment.yaml');
    const labels = deployment.spec.selector.matchLabels;
    const container = deployment.spec.template.spec.containers[0];

    it('parses, and probes liveness on /health/live and readiness on /health/ready', () => {
      for (const file of readdirSync(join(ROOT, 'docker/k8s'))) {
        const docs = parseAllDocuments(read(`docker/k8s/${file}`));
        expect(docs.flatMap((d) => d.errors)).toEqual([]);
      }
      expect(container.livenessProbe.httpGet.path).toBe('/health/live');
      expect(container.readinessProbe.httpGet.path).toBe('/health/ready');
      expect(container.securityContext.allowPrivilegeEscalation).toBe(false);
      expect(deployment.spec.template.spec.securityContext.runAsNonRoot).toBe(true);
    });

    it('scales on CPU with a HorizontalPodAutoscaler that owns the replica count', () => {
      const hpa = k8sObject('HorizontalPodAutoscaler');
      expect(hpa.apiVersion).toBe('autoscaling/v2');
      expect(hpa.spec.scaleTargetRef).toEqual({
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        name: deployment.metadata.name,
      });
      expect(hpa.spec.metrics).toContainEqual({
        type: 'Resource',
        resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: expect.any(Number) } },
      });
      expect(hpa.spec.minReplicas).toBeGreaterThanOrEqual(2);
      expect(hpa.spec.maxReplicas).toBeGreaterThan(hpa.spec.minReplicas);
      // Utilization is a share of the request: without a CPU request the HPA cannot compute it.
      expect(container.resources.requests.cpu).toBeDefined();
      expect(deployment.spec.replicas).toBeUndefined();
    });

    it('keeps replicas through voluntary disruptions with a PodDisruptionBudget on the same pods', () => {
      const pdb = k8sObject('PodDisruptionBudget');
      const hpa = k8sObject('HorizontalPodAutoscaler');
      expect(pdb.apiVersion).toBe('policy/v1');
      expect(pdb.spec.selector.matchLabels).toEqual(labels);
      const allowed = pdb.spec.maxUnavailable ?? hpa.spec.minReplicas - pdb.spec.minAvailable;
      expect(allowed).toBeGreaterThanOrEqual(1);
      expect(allowed).toBeLessThan(hpa.spec.minReplicas);
    });

    it('scrapes /metrics with the metrics token the pods read, never through bare annotations', () => {
      expect(deployment.spec.template.metadata.annotations?.['prometheus.io/scrape']).toBeUndefined();
      const service = k8sObject('Service');
      const monitor = k8sObject('ServiceMonitor');
      expect(monitor.spec.selector.matchLabels).toEqual(service.metadata.labels);
      const endpoint = monitor.spec.endpoints[0];
      expect(service.spec.ports.map((p: { name: string }) => p.name)).toContain(endpoint.port);
      expect(endpoint.path).toBe('/metrics');
      expect(endpoint.authorization.type).toBe('Bearer');
      const { name: secretName, key } = endpoint.authorization.credentials;

      // The pods read METRICS_TOKEN_FILE from the same Secret and key.
      const tokenFile = container.env.find((e: { name: string }) => e.name === 'METRICS_TOKEN_FILE').value as string;
      const mount = container.volumeMounts.find((m: { mountPath: string }) => tokenFile.startsWith(`${m.mountPath}/`));
      const volume = deployment.spec.template.spec.volumes.find((v: { name: string }) => v.name === mount.name);
      const source = volume.projected.sources.find((s: { secret: { name: string } }) => s.secret.name === secretName);
      expect(source.secret.items).toContainEqual({ key, path: tokenFile.slice(mount.mountPath.length + 1) });
      const example = k8sObject('Secret');
      expect(k8sDocs('secret.example.yaml').map((d) => d.metadata.name)).toContain(secretName);
      expect(example).toBeDefined();

      const plain = yamlOf('docker/prometheus/kubernetes-scrape.yml');
      const job = plain.scrape_configs.find((j: { job_name: string }) => j.job_name === 'transparency-api');
      expect(job.authorization.type).toBe('Bearer');
      expect(job.authorization.credentials_file).toMatch(new RegExp(`/${secretName}/${key}$`));
      expect(job.kubernetes_sd_configs[0].role).toBe('endpoints');
      expect(job.relabel_configs[0]).toMatchObject({
        action: 'keep',
        regex: `${service.metadata.name};${endpoint.port}`,
      });
    });

    it('applies every manifest with kustomize except the examples and the Operator’s CRD object', () => {
      const kustomization = yamlOf('docker/k8s/kustomization.yaml');
      const expected = readdirSync(join(ROOT, 'docker/k8s')).filter(
        (f) => !['kustomization.yaml', 'secret.example.yaml', 'servicemonitor.yaml'].includes(f),
      );
      expect([...kustomization.resources].sort()).toEqual(expected.sort());
    });
  });

  describe('monitoring', () => {
    it('provisions the five dashboards, each panel with at least one query', () => {
      const all = dashboards();
      expect(all.map((d) => d.title).sort()).toEqual(
        [
          'Transparency API / API performance',
          'Transparency API / Cache',
          'Transparency API / Database',
          'Transparency API / Security',
          'Transparency API / System overview',
        ].sort(),
      );
      expect(new Set(all.map((d) => d.uid)).size).toBe(all.length);
      for (const d of all) {
        expect(d.panels.length).toBeGreaterThanOrEqual(5);
        for (const p of d.panels) expect(p.targets?.length).toBeGreaterThan(0);
      }
    });

    it('alerts and charts only on the documented core metrics (live presence: test/dashboards.e2e-spec.ts)', () => {
      const unknown = monitoringExpressions().flatMap(({ where, expr }) =>
        metricNamesIn(expr)
          .filter((name) => {
            const base = name.replace(HISTOGRAM_SUFFIX, '');
            return ![name, base].some((n) => SPEC_METRICS.includes(n) || PROMETHEUS_SERIES.includes(n));
          })
          .filter((name) => !isProcessDefault(name))
          .map((name) => `${where}: ${name}`),
      );
      expect(unknown).toEqual([]);
      expect(monitoringExpressions().filter(({ expr }) => /\bsse_/.test(expr))).toEqual([]);
      expect(alertRules().length).toBeGreaterThanOrEqual(7);
    });

    it('reads metric and label names out of PromQL, not functions, ranges or keywords', () => {
      expect(
        metricNamesIn(
          'histogram_quantile(0.95, sum by (le, route) (rate(api_request_duration_seconds_bucket{route!="x"}[$__rate_interval]))) / clamp_min(sum(rate(foo_total[5m] offset 1h)), 1e-9) > 0.02 and on(instance) up == 0',
        ).sort(),
      ).toEqual(['api_request_duration_seconds_bucket', 'foo_total', 'up']);
      expect(
        labelNamesIn('sum by (le, route) (rate(x_bucket{status_code=~"5..", a!="}"}[5m])) and on(instance) up').sort(),
      ).toEqual(['a', 'instance', 'le', 'route', 'status_code']);
    });
  });
});
