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

  it('parses ranges and lists, and refuses what is not IPv4', () => {
    expect(parsePool('127.0.0.2-127.0.0.3, 127.0.1.1')).toEqual(['127.0.0.2', '127.0.0.3', '127.0.1.1']);
    expect(() => parsePool('::1')).toThrow(/not an IPv4 address/);
    expect(() => parsePool('127.0.0.3-127.0.0.2')).toThrow(/not a range/);
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
