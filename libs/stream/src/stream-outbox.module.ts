import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { StreamEventEntity } from './stream-event.entity';
import { StreamOutbox } from './stream-outbox';

/**
 * The write side of the stream, without routes or timers: what the transparency services (in
 * the API and the CLI) need to record events in their own transactions.
 */
@Module({
  imports: [TypeOrmModule.forFeature([StreamEventEntity])],
  providers: [StreamOutbox],
  exports: [StreamOutbox, TypeOrmModule],
})
export class StreamOutboxModule {}
