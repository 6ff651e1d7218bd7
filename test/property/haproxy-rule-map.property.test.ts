import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { literal, rulePattern } from '#adapters/haproxy/config/rule-map.js';
import type * as ir from '#core/ir/load-balancer.js';

// A rules-map pattern selects exactly the requests its route matches: the path (Exact, element-wise
// Prefix), the method, and each header by its lower-cased name with the value exactly, in any
// occurrence. The key is the one HAProxy builds (vhost, method, path, `req.hdrs`), in Latin-1 so a
// JavaScript regex sees bytes as PCRE2 without UTF does; the constructs used (\xHH, lookahead, lazy
// repeats, classes) read the same in both.

/** What a client can send in a header value once HAProxy has trimmed it: no CR, LF, NUL, no edge spaces. */
const value = fc
  .string({
    unit: fc.oneof(
      fc.constantFrom('a', 'b', ' ', '#', '\\', '.', '*', '(', ')', '$', '^', 'é', '\u{1F600}'),
      fc.string({ minLength: 1, maxLength: 1 }),
    ),
    minLength: 1,
    maxLength: 8,
  })
  .map((s) => s.replace(/[\r\n\0]/g, 'x').trim())
  .filter((s) => s.length > 0);
const name = fc.stringMatching(/^[A-Za-z][A-Za-z0-9-]{0,5}$/);
const segment = fc.constantFrom('a', 'b', 'a.b', 'a-b', '%2F');
const path = fc.array(segment, { maxLength: 3 }).map((s) => `/${s.join('/')}`);
const method = fc.constantFrom('GET', 'POST');

const bytes = (s: string) => Buffer.from(s, 'utf8').toString('latin1');
const key = (m: string, p: string, headers: [string, string][]) =>
  bytes(`v_1\n${m}\n${p}\n${headers.map(([n, v]) => `${n.toLowerCase()}: ${v}\r\n`).join('')}\r\n`);

const within = (p: string, prefix: string) => {
  const n = prefix.replace(/\/+$/, '');
  return n === '' || p === n || p.startsWith(`${n}/`);
};

describe('rules map patterns (property)', () => {
  it('a literal matches exactly its own bytes', () => {
    fc.assert(
      fc.property(value, value, (a, b) => {
        const re = new RegExp(`^${literal(a)}$`);
        expect(re.test(bytes(a))).toBe(true);
        expect(re.test(bytes(b))).toBe(a === b);
        expect(literal(a)).toMatch(/^[A-Za-z0-9/_\\]+$/);
      }),
      { numRuns: 500 },
    );
  });

  it('matches a request exactly when the route does', () => {
    let matched = 0;
    fc.assert(
      fc.property(
        fc.record({
          pathType: fc.constantFrom('Exact' as const, 'Prefix' as const),
          path,
          method: fc.option(method, { nil: undefined }),
          headers: fc.array(fc.record({ name, value }), { maxLength: 2 }),
        }),
        fc.record({
          method,
          path,
          headers: fc.array(fc.tuple(fc.oneof(name, fc.constant('X-V')), value), { maxLength: 4 }),
        }),
        (r, req) => {
          const route = {
            match: {
              path: { type: r.pathType, value: r.path },
              headers: r.headers.map((h) => ({ type: 'Exact', name: h.name, value: h.value })),
              queryParams: [],
              ...(r.method ? { method: r.method } : {}),
            },
          } as unknown as ir.Route;
          // Borrow the route's own headers sometimes, so matches are common, not rare.
          const sent: [string, string][] = [
            ...req.headers,
            ...r.headers
              .slice(0, req.headers.length % 3)
              .map((h): [string, string] => [h.name.toUpperCase(), h.value]),
          ];
          const expected =
            (r.pathType === 'Exact' ? req.path === r.path : within(req.path, r.path)) &&
            (r.method === undefined || r.method === req.method) &&
            r.headers.every((h) =>
              sent.some(([n, v]) => n.toLowerCase() === h.name.toLowerCase() && v === h.value),
            );
          const pattern = rulePattern('v_1', route)!;
          expect(new RegExp(pattern).test(key(req.method, req.path, sent))).toBe(expected);
          if (expected) matched++;
        },
      ),
      { numRuns: 1000 },
    );
    // Both outcomes are exercised, not only misses.
    expect(matched).toBeGreaterThan(50);
  });
});
