// The HTTP pull consumer of a queue, as Cloudflare Queues serves it: the GPU worker's queue_pull
// adapter speaks it, and the Worker's local queue bridge answers it (docs/messages.md).
//   POST …/messages/pull {batch_size, visibility_timeout_ms} → {messages: PulledMessage[]}
//   POST …/messages/ack  {acks: [{lease_id}], retries: [{lease_id, delay_seconds}]}

/** One leased message of a pull answer; `body` is the queue message, as `Body` (see decodeBody). */
export interface PulledMessage<Body = unknown> {
  id: string;
  lease_id: string;
  /** JSON text (the bridge, and Cloudflare's json content type), base64 of JSON, or an object. */
  body: Body;
  attempts: number;
  timestamp_ms: number;
  metadata?: Record<string, string>;
}

export interface PullRequest {
  batch_size: number;
  visibility_timeout_ms: number;
}

export interface PullResult<Body = unknown> {
  message_backlog_count: number;
  messages: PulledMessage<Body>[];
}

export interface AckRequest {
  acks: { lease_id: string }[];
  retries: { lease_id: string; delay_seconds?: number }[];
}
