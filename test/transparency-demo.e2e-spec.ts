import { NestFactory } from '@nestjs/core';
import request from 'supertest';
import { DemoDataService } from '@app/transparency';
import { CliModule } from '../apps/cli/src/cli.module';
import { seedDemo } from '../apps/cli/src/demo-commands';
import { createSchema, createTestApp, dropSchema, type TestApp, testConfig } from './utils/harness';
import { TRANSPARENCY_ENV } from './transparency-fixtures';

describe('Demo data', () => {
  let t: TestApp;
  let http: ReturnType<typeof request>;
  let bootMs: number;

  beforeAll(async () => {
    const started = Date.now();
    t = await createTestApp({
      redis: false,
      env: { ...TRANSPARENCY_ENV, DEMO_DATA: 'true', TRANSPARENCY_PUBLIC_READ: 'true' },
    });
    bootMs = Date.now() - started;
    http = request(t.app.getHttpServer());
  });
  afterAll(async () => t?.close());

  it('loads the demo set into an empty database at startup, before the app is ready', async () => {
    const counts = await t.dataSource.query<Record<string, number>[]>(
      `SELECT (SELECT count(*)::int FROM performance_snapshots) AS snapshots,
              (SELECT count(*)::int FROM trade_events) AS trades,
              (SELECT count(*)::int FROM positions) AS positions,
              (SELECT count(*)::int FROM ai_decisions) AS decisions,
              (SELECT count(*)::int FROM backtests) AS backtests`,
    );
    expect(counts[0]).toMatchObject({ snapshots: 8641, positions: 3, backtests: 3 });
    expect(counts[0].trades).toBeGreaterThan(200);
    expect(counts[0].decisions).toBeGreaterThan(200);
    expect(bootMs).toBeLessThan(15_000);
    const load = t.app.get(DemoDataService).lastStartupLoad;
    process.stdout.write(
      `demo boot (external Postgres): ${bootMs} ms in all, of which the demo load ${load?.elapsedMs} ms\n`,
    );
  });

  it('gives a newcomer meaningful numbers on every read route', async () => {
    const portfolio = await http.get('/api/v1/portfolio').expect(200);
    expect(portfolio.body.total_equity).toBeGreaterThan(50_000);
    expect(portfolio.body.positions_count).toBe(3);
    expect(portfolio.body.timestamp).not.toBeNull();
    const positions = await http.get('/api/v1/portfolio/positions').expect(200);
    expect(positions.body.total_count).toBe(3);
    const trades = await http.get('/api/v1/trades?event_type=position_closed&limit=5').expect(200);
    expect(trades.body.total_count).toBeGreaterThan(30);
    expect(typeof trades.body.trades[0].realized_pnl).toBe('number');
    const perf = await http.get('/api/v1/performance?period=30d').expect(200);
    expect(typeof perf.body.sharpe_ratio).toBe('number');
    expect(perf.body.max_drawdown).toBeLessThan(0);
    expect(perf.body.total_trades).toBeGreaterThan(30);
    const curve = await http.get('/api/v1/performance/equity-curve?period=30d&interval=1d').expect(200);
    expect(curve.body.data.length).toBeGreaterThanOrEqual(30);
    const models = await http.get('/api/v1/ai/models?period=30d').expect(200);
    expect(models.body.total_count).toBe(3);
    expect(models.body.models[0].win_rate).not.toBeNull();
    const decisions = await http.get('/api/v1/ai/decisions?limit=3').expect(200);
    expect(decisions.body.decisions).toHaveLength(3);
    const backtests = await http.get('/api/v1/backtests').expect(200);
    expect(backtests.body.total_count).toBe(3);
    const stats = await http.get('/api/v1/stats').expect(200);
    expect(stats.body.ai.models).toBe(3);
  });

  it('re-seeding (the seed-demo command) inserts nothing twice', async () => {
    const report = await t.app.get(DemoDataService).seed();
    expect(report.inserted).toEqual({ snapshots: 0, trades: 0, positions: 0, decisions: 0, backtests: 0 });
  });

  it('leaves a database that already has data alone at startup', async () => {
    const second = await createTestApp({
      redis: false,
      schema: t.schema,
      env: { ...TRANSPARENCY_ENV, DEMO_DATA: 'true' },
    });
    try {
      expect(await second.app.get(DemoDataService).isEmpty()).toBe(false);
    } finally {
      await second.close();
    }
  });

  it('loads on the embedded default (PGlite) within the first-start budget', async () => {
    const started = Date.now();
    const embedded = await createTestApp({
      redis: false,
      env: { ...TRANSPARENCY_ENV, DATABASE_URL: undefined, DEMO_DATA: undefined, TRANSPARENCY_PUBLIC_READ: 'true' },
    });
    const elapsed = Date.now() - started;
    try {
      const load = embedded.app.get(DemoDataService).lastStartupLoad;
      process.stdout.write(
        `demo boot (embedded PGlite): ${elapsed} ms in all, of which the demo load ${load?.elapsedMs} ms\n`,
      );
      expect(load?.inserted.snapshots).toBe(8641);
      expect(embedded.config.demoData).toBe(true);
      const res = await request(embedded.app.getHttpServer()).get('/api/v1/performance?period=7d').expect(200);
      expect(typeof res.body.sharpe_ratio).toBe('number');
      // The demo load's own share of the first-start budget (15 s to ready), printed above; the
      // bound only catches a pathological regression: on two cores shared with the other suites
      // the same load took 1 s to 8 s, so speed belongs to `npm run bench`, not to this test.
      expect(load?.elapsedMs).toBeLessThan(15_000);
      expect(elapsed).toBeLessThan(30_000);
    } finally {
      await embedded.close();
    }
  }, 60_000);

  it('is available as the seed-demo CLI command, which migrates first and is idempotent', async () => {
    const schema = await createSchema();
    const base = testConfig(schema, { redis: false });
    const config = Object.freeze({ ...base, database: { ...base.database, migrationsRun: false } });
    const cli = await NestFactory.createApplicationContext(CliModule.forRoot(config), { logger: ['error'] });
    try {
      const lines: string[] = [];
      await seedDemo(cli, (line) => lines.push(line));
      await seedDemo(cli, (line) => lines.push(line));
      expect(lines[0]).toMatch(
        /^Demo data: inserted \d+ of \d+ rows \(snapshots 8641, trades \d+, positions 3, decisions \d+, backtests 3\) in \d+ ms\.$/,
      );
      expect(lines[1]).toMatch(/^Demo data: inserted 0 of \d+ rows/);
    } finally {
      await cli.close();
      await dropSchema(schema);
    }
  });
});
