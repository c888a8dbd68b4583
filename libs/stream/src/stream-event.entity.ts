import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import type { StreamEventType } from './stream-topics';

/**
 * The stream's outbox: one row per event, written in the transaction of the ingest that caused
 * it. `id` orders the stream (it is the SSE `id:`); rows are kept an hour, for resumes.
 * `payload` is `json`, not `jsonb`: it is stored and served verbatim (jsonb would reorder the
 * keys) and never queried into.
 */
@Entity('stream_events')
@Index('IDX_stream_events_created_at', ['createdAt'])
export class StreamEventEntity {
  @PrimaryGeneratedColumn({ type: 'bigint' })
  id!: string;

  @Column({ type: 'varchar', length: 16 })
  topic!: StreamEventType;

  @Column({ type: 'json' })
  payload!: unknown;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
