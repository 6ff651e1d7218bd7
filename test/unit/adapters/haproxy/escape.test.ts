import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  cidr,
  configWord,
  fetchWithName,
  hostname,
  logFormatWord,
  mapKey,
  mapValue,
  regexLiteral,
  runtimeArg,
  UnsafeValueError,
} from '#adapters/haproxy/config/escape.js';
import { anchored, validateRegex } from '#adapters/haproxy/config/regex.js';
import { logFormatSamples, tokenizeLine } from '#test/fuzz/haproxy-tokenizer.js';

const HOSTILE = [
  '#',
  '$HOME',
  '"$HOME"',
  // biome-ignore lint/suspicious/noTemplateCurlyInString: a literal ${VAR} is the point
  '${HOME}',
  '%[env(HOME)]',
  "'",
  '"',
  '\\',
  ';',
  '{',
  '}',
  ' ',
  '\t',
  '-m reg',
  'if',
  '.if 0',
  '%%[',
  'é',
  '🦄',
  "it's",
  "'\"'\"'",
];
const noControl = (s: string) => !/[\u0000-\u0008\u000a-\u001f\u007f]/.test(s);

describe('configWord', () => {
  it.each(HOSTILE)('reads back as one word, verbatim: %j', (v) => {
    const t = tokenizeLine(`set-header ${configWord(v)} x`);
    expect(t).toMatchObject({ words: ['set-header', v, 'x'], comment: false, expansions: [], escapes: 0 });
  });

  it('round-trips any string without control characters', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', minLength: 1 }).filter(noControl), (v) => {
        const t = tokenizeLine(`a ${configWord(v)} b`);
        expect(t.words).toEqual(['a', v, 'b']);
        expect(t.expansions).toEqual([]);
        expect(t.comment).toBe(false);
      }),
      { numRuns: 2000 },
    );
  });

  it.each(['a\nb', 'a\rb', 'a\u0000b', '\u001b[0m', ''])('refuses %j', (v) => {
    expect(() => configWord(v)).toThrow(UnsafeValueError);
  });
});

describe('logFormatWord', () => {
  it('doubles every % so no %[...] sample survives', () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(fc.constantFrom(...HOSTILE, '%', '%[', ']', '%{+Q}o'), fc.string()), {
          minLength: 1,
        }),
        (parts) => {
          const v = parts.join('');
          fc.pre(v.length > 0 && noControl(v));
          const t = tokenizeLine(`x ${logFormatWord(v)}`);
          expect(t.words[1]).toBe(v.replaceAll('%', '%%'));
          expect(logFormatSamples(t.words[1]!)).toEqual([]);
          expect(t.expansions).toEqual([]);
        },
      ),
      { numRuns: 1000 },
    );
  });
});

describe('fetchWithName', () => {
  it('accepts token names and quotes the whole fetch', () => {
    expect(fetchWithName('req.fhdr', 'x#$%y')).toBe("'req.fhdr(x#$%y)'");
    expect(tokenizeLine(`acl a ${fetchWithName('req.fhdr', 'x#$y')}`).words).toEqual([
      'acl',
      'a',
      'req.fhdr(x#$y)',
    ]);
  });
  it.each(["x'y", 'a,b', 'a)', 'a b', '', 'a"b', 'a\\b', 'é'])('refuses %j', (v) => {
    expect(() => fetchWithName('req.fhdr', v)).toThrow(UnsafeValueError);
  });
});

describe('map keys and values', () => {
  it('keys: printable ASCII, no whitespace, no leading #', () => {
    expect(mapKey('v_abc/a#b$c%d')).toBe('v_abc/a#b$c%d');
    for (const bad of ['a b', 'a\tb', 'a\nb', '#a', '', 'é'])
      expect(() => mapKey(bad)).toThrow(UnsafeValueError);
  });
  it('values: ids only', () => {
    expect(mapValue('be_x_1.2:3-4')).toBe('be_x_1.2:3-4');
    for (const bad of ['a b', 'a;b', '%[x]', '']) expect(() => mapValue(bad)).toThrow(UnsafeValueError);
  });
});

describe('runtimeArg', () => {
  it('escapes ; and \\ and refuses whitespace and newlines', () => {
    expect(runtimeArg('a;b\\c')).toBe('a\\;b\\\\c');
    for (const bad of ['a b', 'a\nb', 'a\rb', '', 'a\tb'])
      expect(() => runtimeArg(bad)).toThrow(UnsafeValueError);
  });
});

describe('hostname and cidr', () => {
  it('lower-cases DNS names and wildcards, refuses anything else', () => {
    expect(hostname('Shop.Example.COM')).toBe('shop.example.com');
    expect(hostname('*.example.com')).toBe('*.example.com');
    for (const bad of ['a b.com', 'a..b', '*', 'a.*.com', '$HOME', 'a#b', '-a.com', 'é.com'])
      expect(() => hostname(bad)).toThrow(UnsafeValueError);
  });
  it('accepts IPs and CIDRs only', () => {
    expect(cidr('10.0.0.0/8')).toBe('10.0.0.0/8');
    expect(cidr('fd00::/8')).toBe('fd00::/8');
    for (const bad of ['10.0.0.0/33', '10.0.0.0/8 1.1.1.1', 'x', '1.1.1.1/8/8'])
      expect(() => cidr(bad)).toThrow(UnsafeValueError);
  });
});

describe('regexes', () => {
  it('accepts the common subset and anchors it', () => {
    expect(anchored(validateRegex('/users/[0-9]+'))).toBe('^(?:/users/[0-9]+)$');
    expect(regexLiteral('a.b*c/(d)')).toBe('a\\.b\\*c\\/\\(d\\)');
  });
  it.each([
    '(?<=a)b',
    '(?<!a)b',
    '\\u0041',
    '\\p{L}',
    '[]',
    '[^]',
    '[[:alpha:]]',
    '(a',
    'a{2,1}',
    '(?i)a',
    'a\nb',
    '(a{100}){100}',
    `${'('.repeat(40)}a${')'.repeat(40)}`,
  ])('refuses %j', (v) => {
    expect(() => validateRegex(v)).toThrow(UnsafeValueError);
  });
});
