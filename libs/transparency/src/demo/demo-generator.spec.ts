import { demoId, generateDemoData } from './demo-generator';

const END = new Date('2026-11-28T12:03:00Z');

describe('demo data generator', () => {
  const data = generateDemoData({ seed: 42, end: END });

  it('is deterministic for a seed and end time, and ids depend on the seed only', () => {
    expect(generateDemoData({ seed: 42, end: END })).toEqual(data);
    const later = generateDemoData({ seed: 42, end: new Date('2026-12-01T00:00:00Z') });
    expect(later.snapshots[0]?.id).toBe(data.snapshots[0]?.id);
    expect(generateDemoData({ seed: 7, end: END }).snapshots[0]?.id).not.toBe(data.snapshots[0]?.id);
    expect(demoId(42, 'trade', 0)).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it('has 30 days of 5-minute snapshots ending at the 5-minute boundary before `end`', () => {
    expect(data.snapshots).toHaveLength(30 * 288 + 1);
    expect(data.snapshots.at(-1)?.timestamp).toEqual(new Date('2026-11-28T12:00:00Z'));
    const gaps = new Set(
      data.snapshots
        .slice(1)
        .map((s, i) => (s.timestamp as Date).getTime() - (data.snapshots[i]?.timestamp as Date).getTime()),
    );
    expect([...gaps]).toEqual([300_000]);
    for (const s of data.snapshots) {
      expect(s.totalEquity).toBeCloseTo((s.cashBalance as number) + (s.invested as number), 1);
    }
  });

  it('produces a few hundred trade events whose fills and closes agree with the open positions', () => {
    expect(data.trades.length).toBeGreaterThan(200);
    expect(data.trades.length).toBeLessThan(1000);
    expect(new Set(data.trades.map((t) => t.id)).size).toBe(data.trades.length);
    const bySymbol = new Map<string, number>();
    for (const t of data.trades) {
      if (t.eventType !== 'order_filled') continue;
      bySymbol.set(t.symbol as string, (bySymbol.get(t.symbol as string) ?? 0) + 1);
    }
    const closes = data.trades.filter((t) => t.eventType === 'position_closed');
    expect(closes.length).toBeGreaterThan(30);
    expect(closes.every((t) => typeof t.realizedPnl === 'number')).toBe(true);
    expect(data.trades.filter((t) => t.eventType !== 'position_closed').every((t) => t.realizedPnl === null)).toBe(
      true,
    );
    // Every cycle fills twice (open, close) unless its position is still open.
    const open = new Set(data.positions.map((p) => p.symbol));
    for (const [symbol, fills] of bySymbol) expect(fills % 2).toBe(open.has(symbol) ? 1 : 0);
    expect(data.positions.length).toBeGreaterThanOrEqual(1);
    expect(data.positions.length).toBeLessThanOrEqual(3);
  });

  it('has decisions from several models, resolved ones with an outcome and return, and three backtests', () => {
    expect(new Set(data.decisions.map((d) => d.modelName)).size).toBe(3);
    const resolved = data.decisions.filter((d) => d.outcome !== 'pending');
    expect(resolved.length).toBeGreaterThan(100);
    expect(resolved.every((d) => typeof d.actualReturn === 'number')).toBe(true);
    expect(data.backtests).toHaveLength(3);
    for (const b of data.backtests) {
      expect((b.winningTrades as number) + (b.losingTrades as number)).toBeLessThanOrEqual(b.totalTrades as number);
      expect(b.maxDrawdown).toBeLessThanOrEqual(0);
    }
  });
});
