import { createHmac, timingSafeEqual } from 'node:crypto';
import { type Rejection, reject } from './rejection.js';

/** The request header carrying `t=<unix seconds>,v1=<hex HMAC-SHA256>` (one `v1` per signing secret). */
export const SIGNATURE_HEADER = 'x-portico-signature';
/** How far a signature's timestamp may be from the receiver's clock, either way. */
export const DEFAULT_TOLERANCE_SECONDS = 300;

/** A signing secret and the cluster it belongs to (one secret per cluster; two during a rotation). */
export interface SigningKey {
  cluster: string;
  secret: string;
}

function hmacHex(secret: string, timestamp: number, body: string): string {
  return createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex');
}

/**
 * The `x-portico-signature` value for `body` sent at `timestamp` (unix seconds). Pass several
 * secrets while rotating: the receiver accepts any of them.
 */
export function signRequest(secret: string | readonly string[], timestamp: number, body: string): string {
  const secrets = typeof secret === 'string' ? [secret] : secret;
  if (!Number.isSafeInteger(timestamp) || timestamp < 0) throw new RangeError('timestamp: unix seconds');
  return [`t=${timestamp}`, ...secrets.map((s) => `v1=${hmacHex(s, timestamp, body)}`)].join(',');
}

export interface VerifySignatureInput {
  header: string | undefined;
  body: string;
  keys: readonly SigningKey[];
  /** The receiver's clock, unix seconds. */
  now: number;
  toleranceSeconds?: number;
}

export type VerifiedSignature =
  | {
      ok: true;
      /** The key that matched: its cluster is the only one the request may speak for. */
      key: SigningKey;
      timestamp: number;
      /** The matching signature, hex: the replay-cache key. */
      signature: string;
      /** When a replay of this request stops being accepted anyway (unix seconds). */
      expiresAt: number;
    }
  | { ok: false; rejection: Rejection };

const HEADER_SHAPE = /^t=(\d{1,12})((?:,v1=[0-9a-f]{64}){1,4})$/;

/**
 * Checks an HMAC-SHA256 signature over `${timestamp}.${body}` in constant time, then the timestamp
 * window. Replays inside the window are the caller's to refuse (ingest: a replay cache).
 */
export function verifySignature(input: VerifySignatureInput): VerifiedSignature {
  const tolerance = input.toleranceSeconds ?? DEFAULT_TOLERANCE_SECONDS;
  if (input.header === undefined || input.header === '') {
    return { ok: false, rejection: reject('MissingCredentials', `${SIGNATURE_HEADER} header is missing`) };
  }
  const match = HEADER_SHAPE.exec(input.header.trim());
  if (!match) {
    return {
      ok: false,
      rejection: reject(
        'MalformedSignature',
        `${SIGNATURE_HEADER} must look like t=<unix seconds>,v1=<64 hex>`,
      ),
    };
  }
  const timestamp = Number(match[1]);
  const candidates = match[2]!
    .split(',')
    .filter(Boolean)
    .map((part) => part.slice(3));

  let found: { key: SigningKey; signature: string } | undefined;
  for (const key of input.keys) {
    const expected = Buffer.from(hmacHex(key.secret, timestamp, input.body), 'hex');
    for (const candidate of candidates) {
      // every key and candidate is compared, so timing does not reveal which one matched
      if (timingSafeEqual(expected, Buffer.from(candidate, 'hex')) && !found) {
        found = { key, signature: candidate };
      }
    }
  }
  if (!found) {
    return {
      ok: false,
      rejection: reject('InvalidSignature', 'signature does not match the body and timestamp'),
    };
  }
  if (Math.abs(input.now - timestamp) > tolerance) {
    return {
      ok: false,
      rejection: reject(
        'StaleTimestamp',
        `signature timestamp is more than ${tolerance} s from the receiver's clock`,
      ),
    };
  }
  return {
    ok: true,
    key: found.key,
    timestamp,
    signature: found.signature,
    expiresAt: timestamp + tolerance,
  };
}
