export { StreamEventEntity } from './stream-event.entity';
export { StreamHub } from './stream-hub.service';
export { StreamModule } from './stream.module';
export { StreamOutbox } from './stream-outbox';
export { StreamOutboxModule } from './stream-outbox.module';
export { STREAM_TOPIC_NAMES, STREAM_TOPICS, type StreamEventType, type StreamTopic } from './stream-topics';
