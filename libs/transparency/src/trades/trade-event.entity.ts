import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { NUMERIC } from '../shared/columns';

export const TRADE_EVENT_TYPES = ['signal', 'order_placed', 'order_filled', 'position_closed'] as const;
export type TradeEventType = (typeof TRADE_EVENT_TYPES)[number];
export const TRADE_SIDES = ['buy', 'sell'] as const;
export type TradeSide = (typeof TRADE_SIDES)[number];
export const TRADE_STATUSES = ['pending', 'filled', 'partially_filled', 'cancelled', 'rejected'] as const;
export type TradeStatus = (typeof TRADE_STATUSES)[number];
export const ORDER_TYPES = ['market', 'limit', 'stop', 'stop_limit'] as const;
export type OrderType = (typeof ORDER_TYPES)[number];

/** One event of the trading engine's order lifecycle (`trade_events`, docs/transparency.md). */
@Entity('trade_events')
// The list is newest first, optionally narrowed by symbol or event type (and a time range): each
// index ends in (timestamp, id), the list's order, so a page is read in order with no sort.
@Index('idx_trade_events_timestamp', ['timestamp', 'id'])
@Index('idx_trade_events_symbol_timestamp_id', ['symbol', 'timestamp', 'id'])
@Index('idx_trade_events_type_timestamp_id', ['eventType', 'timestamp', 'id'])
export class TradeEvent {
  @PrimaryColumn('uuid')
  id!: string;

  @Column({ type: 'timestamptz' })
  timestamp!: Date;

  @Column({ type: 'varchar', length: 20 })
  symbol!: string;

  @Column({ name: 'event_type', type: 'varchar', length: 20 })
  eventType!: TradeEventType;

  @Column({ type: 'varchar', length: 4 })
  side!: TradeSide;

  @Column(NUMERIC)
  quantity!: number;

  @Column(NUMERIC)
  price!: number;

  @Column({ ...NUMERIC, name: 'total_value' })
  totalValue!: number;

  @Column({ ...NUMERIC, default: 0 })
  fee!: number;

  @Column({ ...NUMERIC, name: 'realized_pnl', nullable: true })
  realizedPnl!: number | null;

  @Column({ type: 'varchar', length: 20 })
  status!: TradeStatus;

  @Column({ name: 'order_type', type: 'varchar', length: 20, nullable: true })
  orderType!: OrderType | null;

  @Column({ type: 'varchar', length: 100, nullable: true })
  strategy!: string | null;

  @Column({ type: 'jsonb', default: () => "'{}'" })
  data!: Record<string, unknown>;
}
