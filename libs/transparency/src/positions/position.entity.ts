import { Column, Entity, PrimaryColumn } from 'typeorm';
import { NUMERIC } from '../shared/columns';

export const POSITION_SIDES = ['long', 'short'] as const;
export type PositionSide = (typeof POSITION_SIDES)[number];

/** An open position, one per symbol, maintained by the engine (PUT/DELETE). */
@Entity('positions')
export class Position {
  @PrimaryColumn({ type: 'varchar', length: 20 })
  symbol!: string;

  @Column({ type: 'varchar', length: 5 })
  side!: PositionSide;

  @Column(NUMERIC)
  size!: number;

  @Column({ ...NUMERIC, name: 'entry_price' })
  entryPrice!: number;

  @Column({ ...NUMERIC, name: 'current_price' })
  currentPrice!: number;

  @Column({ name: 'opened_at', type: 'timestamptz' })
  openedAt!: Date;

  @Column({ name: 'updated_at', type: 'timestamptz', default: () => 'now()' })
  updatedAt!: Date;
}
