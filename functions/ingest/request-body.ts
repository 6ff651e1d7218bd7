import type middy from '@middy/core';
import { DEFAULT_LIMITS } from '#events/limits.js';
import { reject } from '#events/rejection.js';
import type { HttpContext, HttpEvent, HttpResult } from '#functions/shared/http-context.js';
import { RejectionError } from '#functions/shared/rejection-error.js';

export interface RequestBodyOptions {
  /** Bytes after base64 decoding. */
  maxBodyBytes?: number;
  methods?: readonly string[];
}

const defaults: Required<RequestBodyOptions> = {
  maxBodyBytes: DEFAULT_LIMITS.maxBodyBytes,
  methods: ['POST'],
};

/**
 * Checks the method and the body size before anything costly (no HMAC over 10 MB), and leaves the
 * exact bytes that were signed in `event.body` (base64 decoded, never re-serialised).
 */
export function requestBody(
  options: RequestBodyOptions = {},
): middy.MiddlewareObj<HttpEvent, HttpResult, Error, HttpContext> {
  const { maxBodyBytes, methods } = { ...defaults, ...options };
  return {
    name: 'requestBody',
    before: (request) => {
      const event = request.event;
      const method = event.requestContext?.http?.method ?? 'POST';
      if (!methods.includes(method.toUpperCase())) {
        throw new RejectionError(reject('MethodNotAllowed', `use ${methods.join(' or ')}, not ${method}`));
      }
      const raw = event.body ?? '';
      const tooLarge = new RejectionError(reject('PayloadTooLarge', `body exceeds ${maxBodyBytes} bytes`));
      if (event.isBase64Encoded) {
        if (Math.floor((raw.length * 3) / 4) - 2 > maxBodyBytes) throw tooLarge;
        if (!/^[A-Za-z0-9+/]*={0,2}$/.test(raw) || raw.length % 4 !== 0) {
          throw new RejectionError(
            reject('InvalidBase64', 'isBase64Encoded is set but the body is not base64'),
          );
        }
        const bytes = Buffer.from(raw, 'base64');
        if (bytes.byteLength > maxBodyBytes) throw tooLarge;
        event.body = bytes.toString('utf8');
        event.isBase64Encoded = false;
      } else if (Buffer.byteLength(raw, 'utf8') > maxBodyBytes) {
        throw tooLarge;
      }
    },
  };
}
