import { compareBatches, compareFastCheck } from '../shared/fast-check.testing';
import { fastSnapshotIngestItem, SnapshotIngestItemDto } from './performance.dto';

const VALID: Record<string, unknown>[] = [
  {
    id: '6c1d0b7c-1d1a-4c57-9a36-2f1f5f4d8a10',
    timestamp: '2026-11-29T10:15:00.000Z',
    total_equity: 103250.12,
    cash_balance: 41250.12,
    invested: 62000,
    total_pnl: 3250.12,
    total_pnl_percent: 3.25,
    day_pnl: -412.5,
    day_pnl_percent: -0.4,
    open_orders: 1,
  },
  {
    id: '6C1D0B7C-1D1A-4C57-9A36-2F1F5F4D8A11',
    timestamp: '2026-11-29',
    total_equity: 0,
    cash_balance: 0,
    invested: 0,
    total_pnl: 0,
    total_pnl_percent: 0,
    day_pnl: 0,
    day_pnl_percent: 0,
    open_orders: 0,
  },
];

describe('fastSnapshotIngestItem', () => {
  it('answers exactly what class-transformer + class-validator answer, or defers to them', () => {
    const result = compareFastCheck(SnapshotIngestItemDto, fastSnapshotIngestItem, VALID);
    expect(result.mismatches).toEqual([]);
    expect(result.compared).toBeGreaterThan(3000);
    expect(result.fastAccepted).toBe(result.slowAccepted);
  });

  it('gives validateBatch the same items and the same errors, field paths included', () => {
    const bodies = [VALID, [VALID[0], { ...VALID[1], open_orders: 1.5 }, { ...VALID[0], x: 1 }], [null, VALID[1]]];
    for (const body of bodies) {
      const { withFast, without } = compareBatches(SnapshotIngestItemDto, fastSnapshotIngestItem, body);
      expect(withFast).toStrictEqual(without);
    }
  });
});
