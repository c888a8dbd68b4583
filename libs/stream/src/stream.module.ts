import { Module } from '@nestjs/common';
import { AuthModule } from '@app/auth';
import { StreamController } from './stream.controller';
import { StreamHub } from './stream-hub.service';
import { StreamOutboxModule } from './stream-outbox.module';
import { StreamSlots } from './stream-slots.service';

/** The live stream (GET /api/v1/stream): the route, each replica's hub and the per-client limit. */
@Module({
  imports: [StreamOutboxModule, AuthModule],
  controllers: [StreamController],
  providers: [StreamHub, StreamSlots],
  exports: [StreamHub],
})
export class StreamModule {}
