import { describe, expect, it } from 'vitest';
import { verifyBearerToken } from '#events/bearer-token.js';
import { signRequest, verifySignature } from '#events/signature.js';

const SECRET = 'prod-eu-1-signing-secret-0123456789abcdef';
const keys = [{ cluster: 'prod-eu-1', secret: SECRET }];
const body = '[{"specversion":"1.0"}]';
const T = 1_795_683_602;

describe('signRequest / verifySignature', () => {
  it('round-trips and names the key (cluster) that matched', () => {
    const header = signRequest(SECRET, T, body);
    expect(header).toMatch(/^t=1795683602,v1=[0-9a-f]{64}$/);
    const v = verifySignature({ header, body, keys, now: T + 10 });
    expect(v).toMatchObject({ ok: true, key: { cluster: 'prod-eu-1' }, timestamp: T, expiresAt: T + 300 });
  });

  it('is HMAC-SHA256 over "<timestamp>.<body>"', async () => {
    const { createHmac } = await import('node:crypto');
    const expected = createHmac('sha256', SECRET).update(`${T}.${body}`).digest('hex');
    expect(signRequest(SECRET, T, body)).toBe(`t=${T},v1=${expected}`);
  });

  it('refuses a tampered body', () => {
    const header = signRequest(SECRET, T, body);
    expect(verifySignature({ header, body: `${body} `, keys, now: T })).toMatchObject({
      ok: false,
      rejection: { status: 401, reason: 'InvalidSignature' },
    });
  });

  it('refuses a tampered timestamp (the signature covers it)', () => {
    const header = signRequest(SECRET, T, body).replace(`t=${T}`, `t=${T + 60}`);
    expect(verifySignature({ header, body, keys, now: T + 60 })).toMatchObject({
      ok: false,
      rejection: { reason: 'InvalidSignature' },
    });
  });

  it('refuses another secret', () => {
    const header = signRequest('another-secret-another-secret-another', T, body);
    expect(verifySignature({ header, body, keys, now: T })).toMatchObject({ ok: false });
  });

  it.each([
    [T - 301, false],
    [T - 300, true],
    [T + 300, true],
    [T + 301, false],
  ])('timestamp window ±300 s: signed at %i → ok=%s', (signedAt, accepted) => {
    const v = verifySignature({ header: signRequest(SECRET, signedAt, body), body, keys, now: T });
    expect(v.ok).toBe(accepted);
    if (!v.ok) expect(v.rejection).toMatchObject({ status: 401, reason: 'StaleTimestamp' });
  });

  it.each([
    [undefined, 'MissingCredentials'],
    ['', 'MissingCredentials'],
    ['v1=abc', 'MalformedSignature'],
    [`t=${T}`, 'MalformedSignature'],
    [`t=${T},v1=${'g'.repeat(64)}`, 'MalformedSignature'],
    [`t=-1,v1=${'a'.repeat(64)}`, 'MalformedSignature'],
    [`t=${T},v1=${'a'.repeat(64)}`, 'InvalidSignature'],
  ])('header %s → %s', (header, reason) => {
    expect(verifySignature({ header, body, keys, now: T })).toMatchObject({
      ok: false,
      rejection: { reason },
    });
  });

  it('supports rotation: several v1 values, several keys', () => {
    const header = signRequest(['old-secret-old-secret-old-secret-00', SECRET], T, body);
    expect(verifySignature({ header, body, keys, now: T }).ok).toBe(true);
    const twoKeys = [{ cluster: 'prod-eu-1', secret: 'new-secret-new-secret-new-secret-11' }, ...keys];
    expect(verifySignature({ header: signRequest(SECRET, T, body), body, keys: twoKeys, now: T }).ok).toBe(
      true,
    );
  });
});

describe('verifyBearerToken', () => {
  const tokens = [{ cluster: 'lab', token: 'k'.repeat(40) }];
  it('maps a valid token to its cluster', () => {
    expect(verifyBearerToken(`Bearer ${'k'.repeat(40)}`, tokens)).toEqual({ ok: true, cluster: 'lab' });
  });
  it.each([
    [undefined, 'MissingCredentials'],
    ['Basic abc', 'InvalidToken'],
    [`Bearer ${'k'.repeat(39)}`, 'InvalidToken'],
  ])('%s → %s', (authorization, reason) => {
    expect(verifyBearerToken(authorization, tokens)).toMatchObject({ ok: false, rejection: { reason } });
  });
});
