import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { trimFieldsEvenly } from '#core/naming/trim-fields.js';

describe('naming: trimFieldsEvenly', () => {
  it('leaves fields that fit alone', () => {
    expect(trimFieldsEvenly(20, ['shop', 'web'])).toBe('shop-web');
  });

  it('cuts the longest field first, keeping short ones whole', () => {
    expect(trimFieldsEvenly(15, ['shop', 'storefront-frontend'])).toBe('shop-storefront');
    expect(trimFieldsEvenly(11, ['abcdefgh', 'abcdefgh'])).toBe('abcde-abcde');
    expect(trimFieldsEvenly(12, ['abcdefgh', 'abcdefgh'])).toBe('abcdef-abcde');
  });

  it('drops fields from the end when not even one character each fits', () => {
    expect(trimFieldsEvenly(3, ['a', 'b', 'c'])).toBe('a-b');
    expect(trimFieldsEvenly(0, ['a'])).toBe('');
    expect(trimFieldsEvenly(5, ['', 'x', ''])).toBe('x');
  });

  it('never exceeds max', () => {
    fc.assert(
      fc.property(fc.nat(80), fc.array(fc.string({ maxLength: 60 }), { maxLength: 8 }), (max, fields) => {
        expect(trimFieldsEvenly(max, fields).length).toBeLessThanOrEqual(max);
      }),
    );
  });
});
