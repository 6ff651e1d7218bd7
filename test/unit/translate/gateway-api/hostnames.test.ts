import { describe, expect, it } from 'vitest';
import { hostnameCovers, intersectHostnames } from '#core/translate/gateway-api/hostnames.js';

describe('translate: Gateway API hostnames', () => {
  it('lets a wildcard cover names of any depth below it, but not its own suffix', () => {
    expect(hostnameCovers('*.example.com', 'a.example.com')).toBe(true);
    expect(hostnameCovers('*.example.com', 'a.b.example.com')).toBe(true);
    expect(hostnameCovers('*.example.com', '*.b.example.com')).toBe(true);
    expect(hostnameCovers('*.example.com', 'example.com')).toBe(false);
    expect(hostnameCovers('*.example.com', 'badexample.com')).toBe(false);
    expect(hostnameCovers('a.example.com', '*.example.com')).toBe(false);
  });

  it('intersects listener and route hostnames as the spec describes', () => {
    expect(intersectHostnames(undefined, [])).toEqual([undefined]);
    expect(intersectHostnames('a.example.com', [])).toEqual(['a.example.com']);
    expect(intersectHostnames(undefined, ['x.org', 'x.org'])).toEqual(['x.org']);
    expect(
      intersectHostnames('*.example.com', ['a.example.com', '*.com', 'example.com', 'other.net']),
    ).toEqual(['a.example.com', '*.example.com']);
    expect(intersectHostnames('a.example.com', ['*.example.com', 'b.example.com'])).toEqual([
      'a.example.com',
    ]);
    expect(intersectHostnames('a.example.com', ['b.example.com'])).toEqual([]);
  });
});
