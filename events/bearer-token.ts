import { createHash, timingSafeEqual } from 'node:crypto';
import { type Rejection, reject } from './rejection.js';

/**
 * A shared bearer token for senders inside the trust boundary that cannot sign (Knative
 * ApiServerSource). Each token speaks for one cluster.
 */
export interface BearerToken {
  cluster: string;
  token: string;
}

/** Shorter tokens are refused at configuration time. */
export const MIN_BEARER_TOKEN_LENGTH = 32;

const digest = (s: string): Buffer => createHash('sha256').update(s).digest();

/** Checks `Authorization: Bearer <token>` against the configured tokens, in constant time. */
export function verifyBearerToken(
  authorization: string | undefined,
  tokens: readonly BearerToken[],
): { ok: true; cluster: string } | { ok: false; rejection: Rejection } {
  if (!authorization) {
    return { ok: false, rejection: reject('MissingCredentials', 'Authorization header is missing') };
  }
  const match = /^Bearer +(\S+) *$/i.exec(authorization);
  if (!match) {
    return { ok: false, rejection: reject('InvalidToken', 'Authorization must be "Bearer <token>"') };
  }
  const presented = digest(match[1]!);
  let cluster: string | undefined;
  for (const t of tokens) {
    if (timingSafeEqual(presented, digest(t.token)) && cluster === undefined) cluster = t.cluster;
  }
  if (cluster === undefined)
    return { ok: false, rejection: reject('InvalidToken', 'bearer token is not valid') };
  return { ok: true, cluster };
}
