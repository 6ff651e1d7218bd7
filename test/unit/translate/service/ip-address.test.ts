import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { cidrContains, formatIp, parseCidr, parseIp } from '#core/translate/ip-address.js';

const canonical = (s: string) => {
  const ip = parseIp(s);
  return ip ? formatIp(ip) : undefined;
};

describe('parseIp / formatIp', () => {
  it.each([
    ['10.0.0.1', '10.0.0.1'],
    ['0.0.0.0', '0.0.0.0'],
    ['255.255.255.255', '255.255.255.255'],
    ['::', '::'],
    ['::1', '::1'],
    ['2001:DB8::1', '2001:db8::1'],
    ['2001:0db8:0000:0000:0000:0000:0000:0001', '2001:db8::1'],
    // RFC 5952: the longest zero run is compressed, the first on a tie, never a single group.
    ['2001:db8:0:0:1:0:0:1', '2001:db8::1:0:0:1'],
    ['2001:0:0:1:0:0:0:1', '2001:0:0:1::1'],
    ['2001:db8:0:1:1:1:1:1', '2001:db8:0:1:1:1:1:1'],
    ['fe80::', 'fe80::'],
    ['::ffff:10.1.2.3', '::ffff:a01:203'],
    ['64:ff9b::192.0.2.1', '64:ff9b::c000:201'],
  ])('%s → %s', (input, output) => {
    expect(canonical(input)).toBe(output);
  });

  it.each([
    '',
    '10.0.0',
    '10.0.0.1.2',
    '256.0.0.1',
    '010.0.0.1',
    '10.0.0.01',
    ' 10.0.0.1',
    '1.2.3.4/32',
    ':::',
    '1::2::3',
    '1:2:3:4:5:6:7:8:9',
    '1:2:3:4:5:6:7',
    '12345::',
    'fe80::1%eth0',
    '::ffff:1.2.3',
    '1.2.3.4::',
    'g::1',
  ])('refuses %j', (input) => {
    expect(parseIp(input)).toBeUndefined();
  });
});

describe('parseCidr', () => {
  it.each([
    ['10.0.0.0/8', '10.0.0.0/8'],
    ['0.0.0.0/0', '0.0.0.0/0'],
    ['10.1.2.3/32', '10.1.2.3/32'],
    ['2001:DB8::/32', '2001:db8::/32'],
    ['::/0', '::/0'],
    ['2001:db8::1/128', '2001:db8::1/128'],
  ])('%s → %s', (input, output) => {
    const r = parseCidr(input);
    expect(r.ok && r.text).toBe(output);
  });

  it.each([
    ['10.0.0.1/8', 'host bits'],
    ['10.0.0.0', 'no "/prefix"'],
    ['10.0.0.0/33', 'prefix length'],
    ['10.0.0.0/08', 'prefix length'],
    ['10.0.0.0/', 'prefix length'],
    ['10.0.0.0/-1', 'prefix length'],
    ['2001:db8::/129', 'prefix length'],
    ['2001:db8::1/64', 'host bits'],
    ['010.0.0.0/8', 'leading zero'],
    ['::ffff:10.0.0.0/104', 'IPv4-mapped'],
    ['office/24', 'not an IP address'],
    ['10.0.0.0/8/8', 'prefix length'],
  ])('refuses %s (%s)', (input, why) => {
    const r = parseCidr(input);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.message).toContain(why);
  });

  it('checks containment within a family only', () => {
    const c = (s: string) => {
      const r = parseCidr(s);
      if (!r.ok) throw new Error(r.message);
      return r.cidr;
    };
    expect(cidrContains(c('10.0.0.0/8'), c('10.1.0.0/16'))).toBe(true);
    expect(cidrContains(c('10.1.0.0/16'), c('10.0.0.0/8'))).toBe(false);
    expect(cidrContains(c('10.0.0.0/8'), c('11.0.0.0/16'))).toBe(false);
    expect(cidrContains(c('0.0.0.0/0'), c('192.0.2.7/32'))).toBe(true);
    expect(cidrContains(c('::/0'), c('10.0.0.0/8'))).toBe(false);
    expect(cidrContains(c('2001:db8::/32'), c('2001:db8:1::/48'))).toBe(true);
    expect(cidrContains(c('10.0.0.0/9'), c('10.128.0.0/16'))).toBe(false);
  });
});

describe('round trip', () => {
  it('format(parse(format(ip))) is stable for any IPv6 address', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 255 }), { minLength: 16, maxLength: 16 }), (bytes) => {
        const text = formatIp({ family: 'IPv6', bytes });
        expect(parseIp(text)).toEqual({ family: 'IPv6', bytes });
      }),
    );
  });
});
