import middy from '@middy/core';
import { DEFAULT_LIMITS, type EventLimits } from '#events/limits.js';
import { dedupIdOf, groupIdOf } from '#events/message-keys.js';
import { parseIncoming } from '#events/parse-incoming.js';
import { isSnapshotMarker } from '#events/portico-event.js';
import { reject } from '#events/rejection.js';
import type { Queue, QueueMessage } from '#functions/ports/queue.js';
import { httpRejections, json } from './http-rejections.js';
import type { IngestContext, IngestEvent, IngestResult } from './ingest-context.js';
import { createJsonLogger, type Logger } from './logger.js';
import { RejectionError } from './rejection-error.js';
import { requestBody } from './request-body.js';
import { type VerifySenderOptions, verifySender } from './verify-sender.js';

const SIGNED_MODES = ['structured', 'batch'] as const;

export interface IngestDependencies extends VerifySenderOptions {
  queue: Queue;
  limits?: Partial<EventLimits>;
  logger?: Logger;
}

/**
 * The ingest function (HTTP API, payload v2): who sent it (HMAC or bearer) → how big (413) → what
 * it is (400/415/422) → enqueue every event durably (group = cluster + object, dedup = cluster +
 * uid + resourceVersion + type) → 202 with counts. A request is all or nothing: nothing is
 * enqueued unless every event in it is acceptable.
 */
export function createIngestHandler(deps: IngestDependencies) {
  const limits: EventLimits = { ...DEFAULT_LIMITS, ...deps.limits };
  const logger = deps.logger ?? createJsonLogger({ base: { service: 'ingest' } });

  return middy<IngestEvent, IngestResult, Error, IngestContext>()
    .use(httpRejections({ logger }))
    .use(requestBody({ maxBodyBytes: limits.maxBodyBytes }))
    .use(verifySender(deps))
    .handler(async (event, context, { signal }) => {
      const sender = context.sender!;
      const parsed = parseIncoming(event.headers ?? {}, event.body ?? '', {
        limits,
        cluster: sender.cluster,
        // the signature covers the body only, so signed requests must carry their attributes in it
        ...(sender.method === 'hmac' && { modes: SIGNED_MODES }),
      });
      if ('error' in parsed) throw new RejectionError(parsed.error);

      const messages: QueueMessage[] = parsed.events.map((e) => ({
        groupId: groupIdOf(e),
        dedupId: dedupIdOf(e),
        body: JSON.stringify(e),
      }));
      if (messages.length > 0) {
        try {
          await deps.queue.send(messages, { signal });
        } catch (error) {
          logger.error('enqueue failed', {
            requestId: event.requestContext?.requestId,
            cluster: sender.cluster,
            error: (error as Error)?.name,
            detail: (error as Error)?.message,
          });
          throw new RejectionError(
            reject('QueueUnavailable', 'events could not be enqueued; retry the request'),
          );
        }
      }

      const snapshotMarkers = parsed.events.filter(isSnapshotMarker).length;
      const counts = {
        accepted: parsed.events.length,
        resourceEvents: parsed.events.length - snapshotMarkers,
        snapshotMarkers,
      };
      logger.info('accepted', {
        requestId: event.requestContext?.requestId,
        cluster: sender.cluster,
        auth: sender.method,
        mode: parsed.mode,
        ...counts,
      });
      return json(202, counts);
    });
}
