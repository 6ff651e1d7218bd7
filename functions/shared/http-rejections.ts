import type middy from '@middy/core';
import { createJsonLogger, errorFields, type Logger } from '#logging/logger.js';
import type { HttpContext, HttpEvent, HttpResult } from './http-context.js';
import { RejectionError } from './rejection-error.js';

export interface HttpRejectionsOptions {
  logger?: Logger;
}

const defaults: Required<HttpRejectionsOptions> = {
  logger: createJsonLogger({ service: 'ingest' }),
};

/**
 * Outermost middleware: turns a `RejectionError` into `{ error: { status, reason, message, index? } }`
 * with that status, and anything else into a 500 without details. Logs every refusal (no bodies).
 */
export function httpRejections(
  options: HttpRejectionsOptions = {},
): middy.MiddlewareObj<HttpEvent, HttpResult, Error, HttpContext> {
  const { logger } = { ...defaults, ...options };
  return {
    name: 'httpRejections',
    onError: (request) => {
      const error = request.error;
      const base = {
        requestId: request.event?.requestContext?.requestId,
        cluster: request.context?.sender?.cluster,
      };
      if (error instanceof RejectionError) {
        const { status, reason, message, index } = error.rejection;
        const fields = { ...base, status, reason, detail: message, index };
        if (status >= 500) logger.error('request failed', fields);
        else logger.warn('request rejected', fields);
        request.response = json(status, { error: error.rejection });
        return;
      }
      logger.error('unexpected error', { ...base, status: 500, ...errorFields(error) });
      request.response = json(500, {
        error: { status: 500, reason: 'InternalError', message: 'unexpected error; retry later' },
      });
    },
  };
}

export function json(statusCode: number, body: unknown): HttpResult {
  return {
    statusCode,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  };
}
