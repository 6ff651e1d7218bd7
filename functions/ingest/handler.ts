import middy from '@middy/core';
import { DEFAULT_LIMITS, type EventLimits } from '#events/limits.js';
import { dedupIdOf, groupIdOf } from '#events/message-keys.js';
import { parseIncoming } from '#events/parse-incoming.js';
import { isSnapshotMarker } from '#events/portico-event.js';
import { reject } from '#events/rejection.js';
import type { SanitizeOptions } from '#events/sanitize-object.js';
import type { Queue, QueueMessage } from '#functions/queue/queue.js';
import type { HttpContext, HttpEvent, HttpResult } from '#functions/shared/http-context.js';
import { httpRejections, json } from '#functions/shared/http-rejections.js';
import { RejectionError } from '#functions/shared/rejection-error.js';
import { FUNCTIONS_SECRET_RULE } from '#functions/shared/secret-rule.js';
import { type VerifySenderOptions, verifySender } from '#functions/shared/verify-sender.js';
import { type Env, INGEST_CONFIG_REFRESH_MS, regionOf, requiredEnv } from '#functions/wiring/env.js';
import { lazyHandler } from '#functions/wiring/lazy-handler.js';
import { createJsonLogger, errorFields, type Logger } from '#logging/logger.js';
import { requestBody } from './request-body.js';

const SIGNED_MODES = ['structured', 'batch'] as const;

export interface IngestDependencies extends VerifySenderOptions {
  queue: Queue;
  limits?: Partial<EventLimits>;
  logger?: Logger;
  /** What of a Secret is enqueued (default: no private key; see functions/shared/secret-rule.ts). */
  secrets?: SanitizeOptions;
}

/**
 * The ingest function (HTTP API, payload v2): who sent it (HMAC or bearer) → how big (413) → what
 * it is (400/415/422) → enqueue every event durably (group = cluster + object, dedup = cluster +
 * uid + resourceVersion + type) → 202 with counts. Objects are sanitised before they are enqueued
 * (Secrets reduced to what the providers need: `deps.secrets`). A request is all or nothing: nothing is
 * enqueued unless every event in it is acceptable.
 */
export function createIngestHandler(deps: IngestDependencies) {
  const limits: EventLimits = { ...DEFAULT_LIMITS, ...deps.limits };
  const logger = deps.logger ?? createJsonLogger({ service: 'ingest' });

  return middy<HttpEvent, HttpResult, Error, HttpContext>()
    .use(httpRejections({ logger }))
    .use(requestBody({ maxBodyBytes: limits.maxBodyBytes }))
    .use(verifySender(deps))
    .handler(async (event, context, { signal }) => {
      const sender = context.sender!;
      const parsed = parseIncoming(event.headers ?? {}, event.body ?? '', {
        limits,
        cluster: sender.cluster,
        secrets: deps.secrets ?? FUNCTIONS_SECRET_RULE,
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
            ...errorFields(error),
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

type Handler = ReturnType<typeof createIngestHandler>;
let sqsClient: import('@aws-sdk/client-sqs').SQSClient | undefined;
let ssmClient: import('@aws-sdk/client-ssm').SSMClient | undefined;

/**
 * The deployed function: wired from the environment on the first invocation (nothing is read or
 * connected at import time; a failed wiring is retried by the next invocation). `PORTICO_EVENTS_QUEUE_URL`
 * (the events queue), `PORTICO_INGEST_CONFIG_PARAMETER` (the SSM SecureString holding the config
 * JSON; `PORTICO_INGEST_CONFIG` inline where it is not set), `AWS_REGION` (set by Lambda). The SDK
 * clients live as long as the container and honour `AWS_ENDPOINT_URL_SQS` / `AWS_ENDPOINT_URL_SSM`.
 * The config is read again every 5 minutes (in the background), so a rotated key is accepted
 * everywhere within minutes; keep the old key in the config until then.
 */
export const handler = lazyHandler<HttpEvent, HttpResult>(wireFromEnv, {
  refreshMs: INGEST_CONFIG_REFRESH_MS,
});

async function wireFromEnv(env: Env): Promise<Handler> {
  const queueUrl = requiredEnv(env, 'PORTICO_EVENTS_QUEUE_URL');
  const region = regionOf(env);
  const [{ SQSClient }, { SqsQueue }, { loadIngestConfig }] = await Promise.all([
    import('#functions/wiring/sqs-client.js'),
    import('#functions/queue/sqs-queue.js'),
    import('#functions/shared/ingest-config.js'),
  ]);
  if (env.PORTICO_INGEST_CONFIG_PARAMETER && !ssmClient) {
    const { SSMClient } = await import('#functions/wiring/ssm-client.js');
    ssmClient = new SSMClient({ region });
  }
  const config = await loadIngestConfig(env, ssmClient ? { ssm: ssmClient } : {});
  sqsClient ??= new SQSClient({ region });
  return createIngestHandler({
    queue: new SqsQueue({ client: sqsClient, queueUrl }),
    signingKeys: config.signingKeys,
    bearerTokens: config.bearerTokens,
    toleranceSeconds: config.toleranceSeconds,
  });
}
