import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { NUMERIC } from '../shared/columns';

/** The portfolio at one moment, pushed by the engine (`performance_snapshots`, docs/transparency.md). */
@Entity('performance_snapshots')
// Latest snapshot, baseline lookup, windows and equity-curve buckets all range over time.
@Index('idx_performance_snapshots_timestamp', ['timestamp'])
export class PerformanceSnapshot {
  @PrimaryColumn('uuid')
  id!: string;

  @Column({ type: 'timestamptz' })
  timestamp!: Date;

  @Column({ ...NUMERIC, name: 'total_equity' })
  totalEquity!: number;

  @Column({ ...NUMERIC, name: 'cash_balance' })
  cashBalance!: number;

  @Column(NUMERIC)
  invested!: number;

  @Column({ ...NUMERIC, name: 'total_pnl' })
  totalPnl!: number;

  @Column({ ...NUMERIC, name: 'total_pnl_percent' })
  totalPnlPercent!: number;

  @Column({ ...NUMERIC, name: 'day_pnl' })
  dayPnl!: number;

  @Column({ ...NUMERIC, name: 'day_pnl_percent' })
  dayPnlPercent!: number;

  @Column({ name: 'open_orders', type: 'integer', default: 0 })
  openOrders!: number;
}
