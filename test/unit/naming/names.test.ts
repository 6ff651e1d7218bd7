import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ELBV2_NAME_MAX, ELBV2_NAME_PATTERN, elbv2Name } from '#core/naming/elbv2-name.js';
import { GCP_NAME_MAX, GCP_NAME_PATTERN, gcpName } from '#core/naming/gcp-name.js';
import { HAPROXY_ID_MAX, HAPROXY_ID_PATTERN, haproxyId } from '#core/naming/haproxy-id.js';
import { stableHash } from '#core/naming/hash.js';

// Any text at all, including what Kubernetes would reject: names must stay valid whatever comes in.
const part = fc.oneof(
  fc.string({ maxLength: 80 }),
  fc.stringMatching(/^[a-z0-9]([-a-z0-9.]{0,250}[a-z0-9])?$/),
  fc.constantFrom('', '-', '---', 'internal', 'internal-lb', 'UPPER', 'a/b', 'ünïcode', '*.example.com'),
);
const parts = fc.array(part, { maxLength: 6 });
const hidden = fc.option(fc.array(part, { maxLength: 3 }), { nil: undefined });

const providers = [
  { name: 'elbv2Name', fn: elbv2Name, max: ELBV2_NAME_MAX, pattern: ELBV2_NAME_PATTERN },
  { name: 'gcpName', fn: gcpName, max: GCP_NAME_MAX, pattern: GCP_NAME_PATTERN },
  { name: 'haproxyId', fn: haproxyId, max: HAPROXY_ID_MAX, pattern: HAPROXY_ID_PATTERN },
];

describe('naming: provider names', () => {
  for (const p of providers) {
    describe(p.name, () => {
      it('always matches the provider pattern and length', () => {
        fc.assert(
          fc.property(parts, hidden, (ps, h) => {
            const name = p.fn(ps, h ? { hidden: h } : {});
            expect(name.length).toBeLessThanOrEqual(p.max);
            expect(name).toMatch(p.pattern);
          }),
          { numRuns: 500 },
        );
      });

      it('gives different names to different inputs', () => {
        fc.assert(
          fc.property(parts, parts, (a, b) => {
            fc.pre(JSON.stringify(a) !== JSON.stringify(b));
            expect(p.fn(a)).not.toBe(p.fn(b));
          }),
          { numRuns: 500 },
        );
      });

      it('is deterministic and keeps the hash when the readable part is trimmed', () => {
        const long = [
          'a-namespace-with-a-very-long-name',
          'and-an-even-longer-object-name-that-goes-on-and-on',
        ];
        const name = p.fn(long);
        expect(p.fn([...long])).toBe(name);
        expect(name.length).toBeLessThanOrEqual(p.max);
        // Same readable prefix after trimming, different full input: the hash tells them apart.
        expect(p.fn([long[0]!, `${long[1]}-x`])).not.toBe(name);
      });

      it('separates parts from hidden parts', () => {
        expect(p.fn(['a', 'b'])).not.toBe(p.fn(['b'], { hidden: ['a'] }));
        expect(p.fn(['a-b'])).not.toBe(p.fn(['a', 'b']));
      });
    });
  }

  it('elbv2Name: k8s-<ns>-<name>-<hash8>, readable when short', () => {
    const name = elbv2Name(['shop', 'web'], { hidden: ['prod', 'Gateway'] });
    expect(name).toMatch(/^k8s-shop-web-[a-z2-7]{8}$/);
  });

  it('elbv2Name: trims the long field first and never begins with internal-', () => {
    const name = elbv2Name(['shop', 'a-really-long-gateway-name-here']);
    // 19 readable characters: `shop-a-really-long-`, the dangling hyphen tidied away.
    expect(name).toMatch(/^k8s-shop-a-really-long-[a-z2-7]{8}$/);
    expect(() => elbv2Name(['x'], { prefix: 'internal' })).toThrow(RangeError);
    fc.assert(
      fc.property(parts, (ps) => {
        expect(elbv2Name(ps)).not.toMatch(/^internal-/i);
      }),
    );
  });

  it('gcpName: lower-cases and replaces what GCP rejects', () => {
    expect(gcpName(['Shop', 'Web_Front.v2'])).toMatch(/^k8s-shop-web-front-v2-[a-z2-7]{8}$/);
    expect(() => gcpName(['x'], { prefix: '9bad' })).toThrow(RangeError);
  });

  it('haproxyId: keeps dots, joins fields with _, honours max', () => {
    expect(haproxyId(['shop/api/80', 'a.example.com'])).toMatch(/^shop-api-80_a\.example\.com_[a-z2-7]{8}$/);
    expect(haproxyId(['be'], { prefix: 'pool' })).toMatch(/^pool_be_[a-z2-7]{8}$/);
    const short = haproxyId(['x'.repeat(100)], { max: 24 });
    expect(short).toHaveLength(24);
    expect(() => haproxyId(['x'], { max: 10 })).toThrow(RangeError);
  });
});

describe('naming: stableHash', () => {
  it('is stable base32 of the requested length', () => {
    expect(stableHash(['a'], 8)).toBe(stableHash(['a'], 8));
    expect(stableHash(['a'], 51)).toMatch(/^[a-z2-7]{51}$/);
    expect(stableHash(['a'], 8)).toBe(stableHash(['a'], 51).slice(0, 8));
    expect(() => stableHash('x', 0)).toThrow(RangeError);
    expect(() => stableHash('x', 52)).toThrow(RangeError);
  });

  it('keeps structure apart', () => {
    expect(stableHash(['a-b'], 16)).not.toBe(stableHash(['a', 'b'], 16));
    expect(stableHash([['a'], 'b'], 16)).not.toBe(stableHash(['a', ['b']], 16));
  });
});
