// A stateful local emulator of Amazon SQS (standard and FIFO queues) for tests (docs/design.md §8), used
// through the real `@aws-sdk/client-sqs` over a real socket:
//
//   const sqs = await startSqsEmulator({ now: clock.now });
//   const client = createSqsClient(sqs);
//   sqs.failNext({ action: 'SendMessageBatch', code: 'InternalError' });
//   sqs.failEntries({ count: 2, code: 'InternalError' });
//   ... sqs.service.bodies('q.fifo'), sqs.calls.SendMessageBatch ...
//   client.destroy(); await sqs.close();
//
// service.ts: state and validation; server.ts: HTTP (AWS JSON 1.0), long polling, faults.

import { SQSClient, type SQSClientConfig } from '@aws-sdk/client-sqs';
import type { SqsEmulator } from './server.js';

export {
  type ActionPattern,
  type EntryFailure,
  type ScriptedFailure,
  SqsEmulator,
  type SqsEmulatorOptions,
  startSqsEmulator,
} from './server.js';
export {
  DEDUP_WINDOW_MS,
  DEFAULT_MAX_MESSAGE_BYTES,
  type QueueAttributes,
  SqsError,
  SqsService,
  type SqsServiceOptions,
  type StoredMessage,
} from './service.js';

/** A real SQS client for the emulator (test credentials; SDK retries as configured). */
export function createSqsClient(emulator: SqsEmulator, config: SQSClientConfig = {}): SQSClient {
  return new SQSClient({
    endpoint: emulator.endpoint,
    region: emulator.service.region,
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    ...config,
  });
}

/** A clock for tests: starts at `start` and moves only when told (`advance`), or `speed` times real time. */
export function testClock(options: { start?: number; speed?: number } = {}) {
  const origin = Date.now();
  let offset = 0;
  const start = options.start ?? origin;
  const speed = options.speed ?? 0;
  return {
    now: (): number => start + offset + (speed > 0 ? (Date.now() - origin) * speed : 0),
    advance(ms: number): void {
      offset += ms;
    },
  };
}
