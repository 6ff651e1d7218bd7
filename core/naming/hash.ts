import { createHash } from 'node:crypto';

// RFC 4648 base32, lower-cased: safe in every provider's charset (ELBv2, GCP, HAProxy, labels) and
// denser than hex, so a short suffix still carries 5 bits per character.
const BASE32 = 'abcdefghijklmnopqrstuvwxyz234567';

/**
 * A stable digest of a JSON value, `length` base32 characters (5 bits each, at most 51). Hashing the
 * JSON form keeps structure apart: `['a-b']`, `['a', 'b']` and `[['a'], 'b']` never collide.
 */
export function stableHash(value: unknown, length: number): string {
  if (!Number.isInteger(length) || length < 1 || length > 51)
    throw new RangeError(`hash length must be 1..51, got ${length}`);
  const digest = createHash('sha256').update(JSON.stringify(value)).digest();
  let out = '';
  let buffer = 0;
  let bits = 0;
  for (const byte of digest) {
    buffer = (buffer << 8) | byte;
    bits += 8;
    while (bits >= 5 && out.length < length) {
      out += BASE32[(buffer >>> (bits - 5)) & 31];
      bits -= 5;
    }
    buffer &= (1 << bits) - 1;
    if (out.length === length) break;
  }
  return out;
}
