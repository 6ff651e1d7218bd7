import { describe, expect, it } from 'vitest';
import { mapKey } from '#adapters/haproxy/config/escape.js';
import { literal, rulePattern } from '#adapters/haproxy/config/rule-map.js';
import type * as ir from '#core/ir/load-balancer.js';

const route = (match: Partial<ir.Route['match']>): ir.Route =>
  ({ id: 'r', match: { headers: [], queryParams: [], ...match } }) as unknown as ir.Route;

/** The key HAProxy builds (vhost, method, path, `req.hdrs`), as Latin-1 so JS regexes see bytes. */
const key = (method: string, path: string, headers: [string, string][]) =>
  Buffer.from(
    `v_1\n${method}\n${path}\n${headers.map(([n, v]) => `${n}: ${v}\r\n`).join('')}\r\n`,
    'utf8',
  ).toString('latin1');
// PCRE2 and JavaScript read the constructs used (\xHH, lookahead, lazy repeats) the same way.
const matches = (pattern: string, k: string) => new RegExp(pattern).test(k);

describe('rules map patterns', () => {
  it('writes every user byte that is not a letter, digit, / or _ as \\xHH', () => {
    const hostile = `a b#c\\d^$.|?*+()[]{}-'"%é\t`;
    const lit = literal(hostile);
    expect(lit).toMatch(/^[A-Za-z0-9/_\\]+$/);
    expect(() => mapKey(`^${lit}`)).not.toThrow();
    expect(new RegExp(`^${lit}$`).test(Buffer.from(hostile, 'utf8').toString('latin1'))).toBe(true);
  });

  it('matches a header value exactly, in any occurrence, with names case-insensitive', () => {
    const p = rulePattern(
      'v_1',
      route({
        path: { type: 'Prefix', value: '/api/' },
        headers: [{ type: 'Exact', name: 'X-V', value: 'a.b' }],
      }),
    )!;
    expect(matches(p, key('GET', '/api', [['x-v', 'a.b']]))).toBe(true);
    expect(
      matches(
        p,
        key('PUT', '/api/x', [
          ['accept', '*/*'],
          ['x-v', 'z'],
          ['x-v', 'a.b'],
        ]),
      ),
    ).toBe(true);
    expect(matches(p, key('GET', '/api', [['x-v', 'aXb']]))).toBe(false); // `.` is literal
    expect(matches(p, key('GET', '/api', [['x-v', 'a.bc']]))).toBe(false);
    expect(matches(p, key('GET', '/api', [['xx-v', 'a.b']]))).toBe(false);
    expect(matches(p, key('GET', '/apix', [['x-v', 'a.b']]))).toBe(false);
    // A header value cannot pose as the path or another line: HAProxy refuses CR/LF in both.
    expect(matches(p, key('GET', '/other', [['y', 'x\n/api\nx-v: a.b']]))).toBe(false);
  });

  it('anchors the vhost, the method and an exact path', () => {
    const p = rulePattern('v_1', route({ path: { type: 'Exact', value: '/e' }, method: 'POST' }))!;
    expect(matches(p, key('POST', '/e', []))).toBe(true);
    expect(matches(p, key('GET', '/e', []))).toBe(false);
    expect(matches(p, key('POST', '/e/', []))).toBe(false);
    expect(matches(p, key('POST', '/e', []).replace('v_1', 'v_12'))).toBe(false);
  });

  it('leaves regexes, query parameters, empty values and oversized patterns to ACL rules', () => {
    const h = (value: string, type: 'Exact' | 'RegularExpression' = 'Exact') => ({ type, name: 'x', value });
    expect(rulePattern('v_1', route({ path: { type: 'RegularExpression', value: '/a.*' } }))).toBeUndefined();
    expect(rulePattern('v_1', route({ headers: [h('a.*', 'RegularExpression')] }))).toBeUndefined();
    expect(
      rulePattern('v_1', route({ queryParams: [{ type: 'Exact', name: 'q', value: '1' }] })),
    ).toBeUndefined();
    expect(rulePattern('v_1', route({ headers: [h('')] }))).toBeUndefined();
    expect(rulePattern('v_1', route({ headers: [h('#'.repeat(1_500))] }))).toBeUndefined();
    expect(rulePattern('v_1', route({ headers: [h('ok')] }))).toBeDefined();
  });
});
