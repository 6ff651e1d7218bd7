import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { loadFixture } from '#events/fixtures/load-fixture.js';
import { parseIncoming } from '#events/parse-incoming.js';

const contentTypes = fc.constantFrom(
  'application/cloudevents+json',
  'application/cloudevents-batch+json',
  'application/json',
  'text/plain',
  undefined,
);

function check(result: ReturnType<typeof parseIncoming>): void {
  if ('error' in result) {
    expect(result.error.status).toBeGreaterThanOrEqual(400);
    expect(result.error.status).toBeLessThan(500);
    expect(result.error.reason).toMatch(/^[A-Z][A-Za-z]+$/);
  } else {
    expect(Array.isArray(result.events)).toBe(true);
  }
}

describe('parseIncoming never throws', () => {
  it('arbitrary strings → 4xx or accepted', () => {
    fc.assert(
      fc.property(contentTypes, fc.string({ maxLength: 300 }), (ct, body) => {
        check(parseIncoming(ct ? { 'content-type': ct } : {}, body));
      }),
      { numRuns: 500 },
    );
  });

  it('arbitrary JSON values → 4xx or accepted', () => {
    fc.assert(
      fc.property(contentTypes, fc.jsonValue({ maxDepth: 4 }), (ct, value) => {
        check(
          parseIncoming(ct ? { 'content-type': ct, 'ce-specversion': '1.0' } : {}, JSON.stringify(value)),
        );
      }),
      { numRuns: 500 },
    );
  });

  it('mutated valid events (a field replaced by anything) → 4xx or accepted', () => {
    const base = loadFixture<Record<string, unknown>>('knative-add-gateway');
    const keys = [...Object.keys(base), 'data.metadata', 'data.kind', 'data.apiVersion', 'extra'];
    fc.assert(
      fc.property(fc.constantFrom(...keys), fc.jsonValue({ maxDepth: 3 }), (key, value) => {
        const event = structuredClone(base) as Record<string, Record<string, unknown>>;
        const [head, tail] = key.split('.') as [string, string | undefined];
        if (tail) event[head]![tail] = value as never;
        else (event as Record<string, unknown>)[head] = value;
        check(parseIncoming({ 'content-type': 'application/cloudevents+json' }, JSON.stringify(event)));
      }),
      { numRuns: 500 },
    );
  });
});
