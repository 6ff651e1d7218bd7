import middy from '@middy/core';
import { lowerCaseHeaders } from '#events/headers.js';
import { reject } from '#events/rejection.js';
import {
  DEFAULT_TOLERANCE_SECONDS,
  SIGNATURE_HEADER,
  type SigningKey,
  verifySignature,
} from '#events/signature.js';
import {
  parseStatusQuery,
  type StatusPageWire,
  type StatusRecordWire,
  statusRecord,
  statusRequestPayload,
} from '#events/status-pull.js';
import type { HttpContext, HttpEvent, HttpResult } from '#functions/shared/http-context.js';
import { httpRejections, json } from '#functions/shared/http-rejections.js';
import { RejectionError } from '#functions/shared/rejection-error.js';
import { verifySenderValidateOptions } from '#functions/shared/verify-sender.js';
import type { SnapshotStore } from '#functions/store/snapshot-store.js';
import { type Env, INGEST_CONFIG_REFRESH_MS, requiredEnv } from '#functions/wiring/env.js';
import { lazyHandler } from '#functions/wiring/lazy-handler.js';
import { createJsonLogger, type Logger } from '#logging/logger.js';

export interface StatusDependencies {
  store: SnapshotStore;
  /** The forwarders' HMAC secrets, one per cluster (two during a rotation): the ingest config's. */
  signingKeys: readonly SigningKey[];
  toleranceSeconds?: number;
  /** Unix seconds. */
  now?: () => number;
  logger?: Logger;
}

/**
 * The status function (HTTP API GET /status, payload v2): the forwarder pulls the status records
 * written after its cursor (events/status-pull.ts). Only GET (405). The request has no body, so its
 * `x-portico-signature` signs the canonical request line `statusRequestPayload(query)` with the
 * cluster's ingest secret: a missing, malformed, wrong or stale signature is a 401 with its reason,
 * a bad query a 400 (`InvalidQuery`, parseStatusQuery's message). The cluster read is the one whose
 * secret matched, never one named by the caller, so a cluster can read nothing but its own. 200:
 * a `statusPage` `{ cluster, items: [{ cursor, key, ref, status | release | gate }], next, more }`.
 *
 * Replays inside the timestamp window are not refused: the request is a read, and a replay can only
 * get what the original got (or newer records of the same cluster).
 */
export function createStatusHandler(deps: StatusDependencies) {
  const logger = deps.logger ?? createJsonLogger({ service: 'status' });
  const toleranceSeconds = deps.toleranceSeconds ?? DEFAULT_TOLERANCE_SECONDS;
  const now = deps.now ?? (() => Math.floor(Date.now() / 1000));
  verifySenderValidateOptions({ signingKeys: deps.signingKeys, bearerTokens: [], toleranceSeconds });
  const keys = [...deps.signingKeys];

  return middy<HttpEvent, HttpResult, Error, HttpContext>()
    .use(httpRejections({ logger }))
    .handler(async (event, context) => {
      const method = event.requestContext?.http?.method ?? 'GET';
      if (method.toUpperCase() !== 'GET') {
        throw new RejectionError(reject('MethodNotAllowed', `use GET, not ${method}`));
      }
      const header = lowerCaseHeaders(event.headers ?? {})[SIGNATURE_HEADER];
      if (header === undefined || header === '') {
        throw new RejectionError(reject('MissingCredentials', `${SIGNATURE_HEADER} header is missing`));
      }
      const query = parseStatusQuery(event.queryStringParameters ?? {});
      if (typeof query === 'string') throw new RejectionError(reject('InvalidQuery', query));
      const verified = verifySignature({
        header,
        body: statusRequestPayload(query),
        keys,
        now: now(),
        toleranceSeconds,
      });
      if (!verified.ok) throw new RejectionError(verified.rejection);
      const cluster = verified.key.cluster;
      context.sender = { method: 'hmac', cluster };

      const page = await deps.store.statusSince(cluster, query.cursor, query.limit);
      const items: StatusRecordWire[] = [];
      let dropped = 0;
      for (const item of page.items) {
        const wire = statusRecord.safeParse({
          cursor: item.cursor,
          ...(item.key !== undefined ? { key: item.key } : {}),
          ref: item.ref,
          ...(item.release !== undefined
            ? { release: item.release }
            : item.gate !== undefined
              ? { gate: item.gate }
              : { status: item.status }),
        });
        if (wire.success) items.push(wire.data);
        else dropped++; // cannot be patched anyway; `next` still moves past it
      }
      const body: StatusPageWire = {
        cluster,
        items,
        ...(page.next !== undefined ? { next: page.next } : {}),
        more: page.more,
      };
      logger.info('status page', {
        requestId: event.requestContext?.requestId,
        cluster,
        items: items.length,
        more: page.more,
        ...(dropped > 0 ? { dropped } : {}),
      });
      const response = json(200, body);
      return { ...response, headers: { ...response.headers, 'cache-control': 'no-store' } };
    });
}

type Handler = ReturnType<typeof createStatusHandler>;

/**
 * The deployed function: wired on the first invocation. `PORTICO_TABLE_NAME` (the snapshot table);
 * the signing keys and tolerance from the ingest config (`loadIngestConfig`: the SSM parameter named
 * by `PORTICO_INGEST_CONFIG_PARAMETER`, else `PORTICO_INGEST_CONFIG` inline JSON), read again every
 * 5 minutes, as ingest does.
 */
export const handler = lazyHandler<HttpEvent, HttpResult>(wireFromEnv, {
  refreshMs: INGEST_CONFIG_REFRESH_MS,
});

async function wireFromEnv(env: Env): Promise<Handler> {
  const tableName = requiredEnv(env, 'PORTICO_TABLE_NAME');
  const [{ DynamoSnapshotStore }, { loadIngestConfig }] = await Promise.all([
    import('#functions/store/dynamo-snapshot-store.js'),
    import('#functions/shared/ingest-config.js'),
  ]);
  const { signingKeys, toleranceSeconds } = await loadIngestConfig(env);
  if (signingKeys.length === 0)
    throw new Error('the ingest config has no signingKeys: the status pull needs them');
  return createStatusHandler({
    store: new DynamoSnapshotStore({ tableName }),
    signingKeys,
    toleranceSeconds,
  });
}
