import { describe, expect, it } from 'vitest';
import { AddressPool, parsePool } from '#adapters/haproxy/state/address-pool.js';
import { InvalidConfigError, QuotaExceededError } from '#adapters/types.js';
import { runPlan } from '#cli/commands/plan.js';

// Only apply allocates bind addresses (render names the request); the allocation is saved and
// given back to the pool at the next start.

describe('AddressPool', () => {
  it('gives each key its own address, honours a requested one, and keeps both across a restart', () => {
    const pool = new AddressPool('127.0.0.2-127.0.0.4');
    expect(pool.assign('a')).toBe('127.0.0.2');
    expect(pool.assign('b', '127.0.0.4')).toBe('127.0.0.4');
    expect(pool.assign('a')).toBe('127.0.0.2');
    const restarted = new AddressPool('127.0.0.2-127.0.0.4', pool.assigned());
    expect(restarted.assign('c')).toBe('127.0.0.3');
    expect(restarted.assigned()).toEqual({ a: '127.0.0.2', b: '127.0.0.4', c: '127.0.0.3' });
  });

  it('moves a key to the address it now requests, and frees the old one', () => {
    const pool = new AddressPool('127.0.0.2-127.0.0.4', { a: '127.0.0.2' });
    expect(pool.assign('a', '127.0.0.3')).toBe('127.0.0.3');
    expect(pool.assign('b')).toBe('127.0.0.2');
  });

  it('refuses a requested address held by another key or outside the pool, and says when it is exhausted', () => {
    const pool = new AddressPool('127.0.0.2-127.0.0.3', { a: '127.0.0.2' });
    expect(() => pool.assign('b', '127.0.0.2')).toThrow(InvalidConfigError);
    expect(() => pool.assign('b', '127.0.0.2')).toThrow(/127\.0\.0\.2 is held by load balancer a/);
    expect(() => pool.assign('b', '10.0.0.1')).toThrow(/not in the address pool/);
    pool.assign('b');
    expect(() => pool.assign('c')).toThrow(QuotaExceededError);
    pool.release('a');
    expect(pool.assign('c')).toBe('127.0.0.2');
  });

  it('forgets a saved address that is no longer in the pool', () => {
    expect(new AddressPool('127.0.0.2', { a: '127.0.0.9' }).assign('a')).toBe('127.0.0.2');
  });

  it('parses IPv4 and IPv6 ranges and lists, and refuses what is not one', () => {
    expect(parsePool('127.0.0.2-127.0.0.3, 127.0.1.1')).toEqual(['127.0.0.2', '127.0.0.3', '127.0.1.1']);
    expect(parsePool('::1, fd00::fffe-fd00::1:1')).toEqual([
      '::1',
      'fd00::fffe',
      'fd00::ffff',
      'fd00::1:0',
      'fd00::1:1',
    ]);
    expect(() => parsePool('localhost')).toThrow(/not an IP address/);
    expect(() => parsePool('127.0.0.2-::2')).toThrow(/not an IPv4 address/);
    expect(() => parsePool('fd00::1-fd01::1')).toThrow(/last 32 bits/);
    expect(() => parsePool('127.0.0.3-127.0.0.2')).toThrow(/not a range/);
    expect(() => parsePool('::')).toThrow(/unspecified address/);
    expect(() => parsePool('0.0.0.0')).toThrow(/unspecified address/);
  });

  it('gives a key one address per family, and lets go of one family alone', () => {
    const pool = new AddressPool('127.0.0.2-127.0.0.3, ::1, ::2');
    expect(pool.assign('dual')).toBe('127.0.0.2');
    expect(pool.assign('dual', undefined, 'IPv6')).toBe('::1');
    expect(pool.assign('v6', '::2', 'IPv6')).toBe('::2');
    expect(() => pool.assign('x', '::2')).toThrow(/not in the address pool's IPv4 addresses/);
    expect(() => pool.assign('x', undefined, 'IPv6')).toThrow(/IPv6 addresses \(2\) are exhausted/);
    pool.release('dual', 'IPv6');
    expect(pool.of('dual')).toBe('127.0.0.2');
    expect(pool.assign('x', undefined, 'IPv6')).toBe('::1');
    const restarted = new AddressPool(pool.addresses, pool.assigned('IPv4'), pool.assigned('IPv6'));
    expect(restarted.assigned('IPv6')).toEqual({ v6: '::2', x: '::1' });
  });
});

describe('portico plan --provider haproxy', () => {
  it('plans without a pool: frontends ask for the pool address that apply will give them', async () => {
    const lines: string[] = [];
    const code = await runPlan({
      manifests: 'examples/quickstart',
      provider: 'haproxy',
      log: (l) => lines.push(l),
    });
    expect(code).toBe(0);
    expect(lines.join('\n')).toContain('bind: {"address":"pool","port":8080}');
  });
});
