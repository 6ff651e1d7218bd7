import { describe, expect, it } from 'vitest';
import { formatAddress, parseAddress } from '#core/plan/address.js';
import { InvalidAddressError } from '#core/plan/errors.js';

describe('plan: addresses', () => {
  it('formats and parses <adapter>/<kind>/<name>[/<sub>]', () => {
    expect(
      formatAddress({ adapter: 'aws-elbv2', kind: 'listener', name: 'k8s-shop-web-abcd1234', sub: '443' }),
    ).toBe('aws-elbv2/listener/k8s-shop-web-abcd1234/443');
    expect(parseAddress('haproxy/backend/be_1')).toEqual({
      adapter: 'haproxy',
      kind: 'backend',
      name: 'be_1',
    });
    expect(parseAddress('a/b/c/d')).toEqual({ adapter: 'a', kind: 'b', name: 'c', sub: 'd' });
  });

  it('takes a sub-address of several segments', () => {
    expect(parseAddress('aws-elbv2/rule/lb/80/abc')).toEqual({
      adapter: 'aws-elbv2',
      kind: 'rule',
      name: 'lb',
      sub: '80/abc',
    });
    expect(formatAddress({ adapter: 'aws-elbv2', kind: 'rule', name: 'lb', sub: '80/abc' })).toBe(
      'aws-elbv2/rule/lb/80/abc',
    );
  });

  it('rejects malformed addresses', () => {
    for (const bad of ['a/b', 'a//c', 'a/b/c d', 'a/b/c/d//e'])
      expect(() => parseAddress(bad)).toThrow(InvalidAddressError);
    expect(() => formatAddress({ adapter: 'a', kind: 'b', name: 'c/d' })).toThrow(InvalidAddressError);
  });
});
