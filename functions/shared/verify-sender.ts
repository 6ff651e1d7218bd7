import type middy from '@middy/core';
import { type BearerToken, MIN_BEARER_TOKEN_LENGTH, verifyBearerToken } from '#events/bearer-token.js';
import { lowerCaseHeaders } from '#events/headers.js';
import { reject } from '#events/rejection.js';
import {
  DEFAULT_TOLERANCE_SECONDS,
  SIGNATURE_HEADER,
  type SigningKey,
  verifySignature,
} from '#events/signature.js';
import type { HttpContext, HttpEvent, HttpResult } from './http-context.js';
import { RejectionError } from './rejection-error.js';
import { MemoryReplayCache, type ReplayCache } from './replay-cache.js';

export interface VerifySenderOptions {
  /** HMAC secrets, one per cluster (the forwarder). */
  signingKeys?: readonly SigningKey[];
  /** Shared bearer tokens, one per cluster (Knative ApiServerSource, inside the trust boundary). Off when empty. */
  bearerTokens?: readonly BearerToken[];
  replayCache?: ReplayCache;
  toleranceSeconds?: number;
  /** Unix seconds. */
  now?: () => number;
}

const defaults = {
  signingKeys: [] as readonly SigningKey[],
  bearerTokens: [] as readonly BearerToken[],
  toleranceSeconds: DEFAULT_TOLERANCE_SECONDS,
  now: (): number => Math.floor(Date.now() / 1000),
};

/**
 * Establishes who sent the request and for which cluster (`context.sender`):
 * `x-portico-signature` (HMAC, timestamp window, replay cache) when present, otherwise
 * `Authorization: Bearer` when bearer tokens are configured. A signed request that then fails
 * with a 5xx is forgotten by the replay cache, so the sender's retry of the same bytes is accepted.
 */
export function verifySender(
  options: VerifySenderOptions = {},
): middy.MiddlewareObj<HttpEvent, HttpResult, Error, HttpContext> {
  const opts = {
    signingKeys: options.signingKeys ?? defaults.signingKeys,
    bearerTokens: options.bearerTokens ?? defaults.bearerTokens,
    toleranceSeconds: options.toleranceSeconds ?? defaults.toleranceSeconds,
    now: options.now ?? defaults.now,
  };
  verifySenderValidateOptions(opts);
  const replayCache = options.replayCache ?? new MemoryReplayCache({ now: opts.now });
  return {
    name: 'verifySender',
    before: async (request) => {
      const headers = lowerCaseHeaders(request.event.headers ?? {});
      const signature = headers[SIGNATURE_HEADER];
      if (signature !== undefined || opts.bearerTokens.length === 0) {
        const verified = verifySignature({
          header: signature,
          body: request.event.body ?? '',
          keys: opts.signingKeys,
          now: opts.now(),
          toleranceSeconds: opts.toleranceSeconds,
        });
        if (!verified.ok) throw new RejectionError(verified.rejection);
        if (!(await replayCache.remember(verified.signature, verified.expiresAt))) {
          throw new RejectionError(reject('ReplayedRequest', 'this signature was already accepted'));
        }
        request.context.sender = {
          method: 'hmac',
          cluster: verified.key.cluster,
          replayKey: verified.signature,
        };
        return;
      }
      const bearer = verifyBearerToken(headers.authorization, opts.bearerTokens);
      if (!bearer.ok) {
        const r = bearer.rejection;
        throw new RejectionError(
          r.reason === 'MissingCredentials'
            ? reject('MissingCredentials', `send ${SIGNATURE_HEADER} or Authorization: Bearer`)
            : r,
        );
      }
      request.context.sender = { method: 'bearer', cluster: bearer.cluster };
    },
    onError: async (request) => {
      const key = request.context.sender?.replayKey;
      const error = request.error;
      const status = error instanceof RejectionError ? error.rejection.status : 500;
      if (key !== undefined && status >= 500) await replayCache.forget(key);
    },
  };
}

/** Refuses, at construction, credentials that would make the door weaker than documented. */
export function verifySenderValidateOptions(opts: {
  signingKeys: readonly SigningKey[];
  bearerTokens: readonly BearerToken[];
  toleranceSeconds: number;
}): void {
  const pkg = 'verifySender';
  if (opts.signingKeys.length === 0 && opts.bearerTokens.length === 0) {
    throw new TypeError(`${pkg}: configure signingKeys or bearerTokens`);
  }
  if (opts.signingKeys.some((k) => k.secret.length < MIN_BEARER_TOKEN_LENGTH)) {
    throw new TypeError(`${pkg}: signing secrets must be at least ${MIN_BEARER_TOKEN_LENGTH} characters`);
  }
  if (opts.bearerTokens.some((t) => t.token.length < MIN_BEARER_TOKEN_LENGTH || /\s/.test(t.token))) {
    throw new TypeError(
      `${pkg}: bearer tokens must be at least ${MIN_BEARER_TOKEN_LENGTH} characters, no spaces`,
    );
  }
  if (!Number.isInteger(opts.toleranceSeconds) || opts.toleranceSeconds < 1 || opts.toleranceSeconds > 3600) {
    throw new TypeError(`${pkg}: toleranceSeconds must be an integer in 1..3600`);
  }
}
