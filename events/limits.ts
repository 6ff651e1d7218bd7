/**
 * Size limits of the event contract. They follow the hard limits downstream:
 * one event becomes one SQS message (at most 256 KiB), and a request must fit
 * the Lambda synchronous payload limit (6 MB, base64 inflates by 4/3).
 */
export interface EventLimits {
  /** Bytes of one request body, after base64 decoding. */
  maxBodyBytes: number;
  /** Events in one batch (`application/cloudevents-batch+json`). */
  maxBatchEvents: number;
  /** Bytes of one event's `data`, serialised as JSON. */
  maxEventDataBytes: number;
  /** Bytes of one whole event, serialised as JSON: what is enqueued. */
  maxEventBytes: number;
}

export const DEFAULT_LIMITS: Readonly<EventLimits> = Object.freeze({
  maxBodyBytes: 4 * 1024 * 1024,
  maxBatchEvents: 500,
  maxEventDataBytes: 240 * 1024,
  maxEventBytes: 256 * 1024,
});
