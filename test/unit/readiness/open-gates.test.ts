import { describe, expect, it } from 'vitest';
import { lbKey } from '#core/ir/lb-key.js';
import { openGates } from '#core/readiness/open-gates.js';
import type { LoadBalancerPodGates } from '#core/readiness/pod-gates.js';
import { nextGateRecheck } from '#functions/reconcile/pod-gate-pass.js';

const key = lbKey('c', 'Service', 'apps', 'web');
const gates = (pods: Record<string, boolean>): LoadBalancerPodGates => ({
  key,
  conditionType: 'portico.dev/lb-aaaaaaaaaaaaaaaa',
  pods: Object.entries(pods).map(([name, healthy]) => ({ pod: { namespace: 'apps', name }, healthy })),
  services: ['apps/web'],
});
const open = (name: string, message = `healthy in load balancer ${key}`) => ({
  pod: { namespace: 'apps', name },
  conditionType: 'portico.dev/lb-aaaaaaaaaaaaaaaa',
  message,
});

describe('openGates', () => {
  it('opens only the healthy pods; the others wait', () => {
    expect(openGates(gates({ a: true, b: false }), true, [])).toEqual({
      open: [open('a')],
      waiting: [{ namespace: 'apps', name: 'b' }],
    });
  });

  it('an incomplete read keeps what was open before, for pods still targeted', () => {
    const before = [open('b', 'earlier'), open('gone')];
    expect(openGates(gates({ a: true, b: false }), false, before)).toEqual({
      open: [open('a'), open('b', 'earlier')],
      waiting: [],
    });
  });

  it('a complete read decides alone (a pod not healthy in it is not registered yet)', () => {
    expect(openGates(gates({ b: false }), true, [open('b')])).toEqual({
      open: [],
      waiting: [{ namespace: 'apps', name: 'b' }],
    });
  });

  it('says so in the message when a gate opens unenforced', () => {
    const g = gates({});
    g.pods = [{ pod: { namespace: 'apps', name: 'a' }, healthy: true, unenforced: 'why' }];
    expect(openGates(g, true, []).open).toEqual([open('a', `not enforced by load balancer ${key}: why`)]);
  });

  it("keeps nothing of another load balancer's gate", () => {
    const foreign = { ...open('b'), conditionType: 'portico.dev/lb-bbbbbbbbbbbbbbbb' };
    expect(openGates(gates({ b: false }), false, [foreign]).open).toEqual([]);
  });
});

describe('nextGateRecheck', () => {
  it('doubles from 1 s up to 5 s, and stops after the last attempt', () => {
    const delays: number[] = [];
    let attempt = 0;
    for (;;) {
      const next = nextGateRecheck(attempt, 1000);
      if (!next) break;
      delays.push((next.due - 1000) / 1000);
      attempt = next.attempt;
    }
    expect(delays).toEqual([1, 2, 4, ...Array(37).fill(5)]);
    expect(nextGateRecheck(0, 0, { baseSeconds: 1, maxSeconds: 3, maxAttempts: 2 })).toEqual({
      attempt: 1,
      due: 1000,
    });
    expect(nextGateRecheck(2, 0, { maxAttempts: 2 })).toBeUndefined();
  });
});
