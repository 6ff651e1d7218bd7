import type { Context } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { lazyHandler } from '#functions/wiring/lazy-handler.js';

const context = {} as Context;
const settle = () => new Promise((r) => setTimeout(r, 0));

/** A wiring whose n-th call answers `v<n>`, or fails when `failing` says so. */
function wiring() {
  const w = { calls: 0, failing: false };
  const wire = async () => {
    const n = ++w.calls;
    if (w.failing) throw new Error(`wiring ${n} failed`);
    return async () => `v${n}`;
  };
  return { w, wire };
}

describe('lazyHandler', () => {
  it('wires once, on the first invocation, and retries a failed wiring on the next', async () => {
    const { w, wire } = wiring();
    const handler = lazyHandler(wire);
    expect(w.calls).toBe(0);
    w.failing = true;
    await expect(handler({}, context)).rejects.toThrow('wiring 1 failed');
    w.failing = false;
    expect(await handler({}, context)).toBe('v2');
    expect(await handler({}, context)).toBe('v2');
    expect(w.calls).toBe(2);
  });

  it('wires again in the background once refreshMs has passed, keeping the old wiring if that fails', async () => {
    let clock = 0;
    const { w, wire } = wiring();
    const handler = lazyHandler(wire, { refreshMs: 1000, now: () => clock });
    expect(await handler({}, context)).toBe('v1');
    clock = 999;
    expect(await handler({}, context)).toBe('v1');
    expect(w.calls).toBe(1);

    clock = 1000;
    w.failing = true;
    expect(await handler({}, context)).toBe('v1'); // served by the old wiring while the new one fails
    await settle();
    expect(await handler({}, context)).toBe('v1');
    expect(w.calls).toBe(3); // the failed refresh is tried again on the next invocation

    w.failing = false;
    await settle();
    expect(await handler({}, context)).toBe('v1');
    await settle();
    expect(await handler({}, context)).toBe('v4');
    clock = 1500;
    expect(await handler({}, context)).toBe('v4');
    expect(w.calls).toBe(4);
  });
});
