/** The query's topic names and the SSE event each one carries. */
export const STREAM_TOPICS = {
  trades: 'trade',
  snapshots: 'snapshot',
  decisions: 'decision',
} as const;

export type StreamTopic = keyof typeof STREAM_TOPICS;
export type StreamEventType = (typeof STREAM_TOPICS)[StreamTopic];

export const STREAM_TOPIC_NAMES = Object.keys(STREAM_TOPICS) as StreamTopic[];
