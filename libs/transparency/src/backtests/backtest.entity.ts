import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { NUMERIC } from '../shared/columns';

export const BACKTEST_STATUSES = ['pending', 'running', 'completed', 'failed'] as const;
export type BacktestStatus = (typeof BACKTEST_STATUSES)[number];

/** A finished (or running) strategy backtest with its headline performance. */
@Entity('backtests')
@Index('idx_backtests_created_at', ['createdAt', 'id'])
export class Backtest {
  @PrimaryColumn('uuid')
  id!: string;

  @Column({ type: 'varchar', length: 200 })
  name!: string;

  @Column({ type: 'text', nullable: true })
  description!: string | null;

  @Column({ type: 'varchar', length: 100 })
  strategy!: string;

  @Column({ name: 'start_date', type: 'timestamptz' })
  startDate!: Date;

  @Column({ name: 'end_date', type: 'timestamptz' })
  endDate!: Date;

  @Column({ type: 'varchar', length: 20 })
  status!: BacktestStatus;

  @Column({ ...NUMERIC, name: 'initial_capital' })
  initialCapital!: number;

  @Column({ ...NUMERIC, name: 'final_equity' })
  finalEquity!: number;

  @Column({ ...NUMERIC, name: 'total_return' })
  totalReturn!: number;

  @Column({ ...NUMERIC, name: 'total_return_percent' })
  totalReturnPercent!: number;

  @Column({ ...NUMERIC, name: 'sharpe_ratio', nullable: true })
  sharpeRatio!: number | null;

  @Column({ ...NUMERIC, name: 'sortino_ratio', nullable: true })
  sortinoRatio!: number | null;

  @Column({ ...NUMERIC, name: 'max_drawdown' })
  maxDrawdown!: number;

  @Column({ ...NUMERIC, name: 'max_drawdown_percent' })
  maxDrawdownPercent!: number;

  @Column({ ...NUMERIC, name: 'calmar_ratio', nullable: true })
  calmarRatio!: number | null;

  @Column({ ...NUMERIC, name: 'win_rate', nullable: true })
  winRate!: number | null;

  @Column({ ...NUMERIC, name: 'profit_factor', nullable: true })
  profitFactor!: number | null;

  @Column({ name: 'total_trades', type: 'integer' })
  totalTrades!: number;

  @Column({ name: 'winning_trades', type: 'integer' })
  winningTrades!: number;

  @Column({ name: 'losing_trades', type: 'integer' })
  losingTrades!: number;

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt!: Date;
}
