import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { NUMERIC } from '../shared/columns';

export const DIRECTIONS = ['long', 'short', 'neutral'] as const;
export type Direction = (typeof DIRECTIONS)[number];
export const OUTCOMES = ['pending', 'profitable', 'loss', 'cancelled'] as const;
export type Outcome = (typeof OUTCOMES)[number];

/** One model prediction and, once known, its outcome (`ai_decisions`, docs/transparency.md). */
@Entity('ai_decisions')
// The list is newest first, optionally narrowed by model, symbol or outcome: each index ends in
// (timestamp, id), the list's order, so a page is read in order with no sort.
@Index('idx_ai_decisions_timestamp', ['timestamp', 'id'])
@Index('idx_ai_decisions_model_timestamp_id', ['modelName', 'timestamp', 'id'])
@Index('idx_ai_decisions_symbol_timestamp_id', ['symbol', 'timestamp', 'id'])
@Index('idx_ai_decisions_outcome_timestamp_id', ['outcome', 'timestamp', 'id'])
export class AiDecision {
  @PrimaryColumn('uuid')
  id!: string;

  @Column({ type: 'timestamptz' })
  timestamp!: Date;

  @Column({ name: 'model_name', type: 'varchar', length: 100 })
  modelName!: string;

  @Column({ type: 'varchar', length: 20 })
  symbol!: string;

  @Column({ type: 'varchar', length: 10 })
  direction!: Direction;

  @Column(NUMERIC)
  confidence!: number;

  @Column({ ...NUMERIC, name: 'price_target', nullable: true })
  priceTarget!: number | null;

  @Column({ name: 'time_horizon', type: 'varchar', length: 32, nullable: true })
  timeHorizon!: string | null;

  @Column({ type: 'text', nullable: true })
  reasoning!: string | null;

  @Column({ type: 'varchar', length: 20, default: 'pending' })
  outcome!: Outcome;

  @Column({ ...NUMERIC, name: 'actual_return', nullable: true })
  actualReturn!: number | null;

  @Column({ type: 'jsonb', default: () => "'{}'" })
  features!: Record<string, unknown>;
}
