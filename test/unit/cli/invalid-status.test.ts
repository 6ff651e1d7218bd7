import { describe, expect, it } from 'vitest';
import { markKeptObjects } from '#cli/invalid-status.js';
import { condition } from '#core/status/conditions.js';
import type { ObjectStatus } from '#core/status/types.js';

const gateway: ObjectStatus = {
  kind: 'Gateway',
  namespace: 'demo',
  name: 'web',
  loadBalancers: [],
  status: {
    conditions: [
      condition('Accepted', true, 'Accepted', 'ok', 1),
      condition('Programmed', true, 'Programmed', 'ok', 1),
    ],
    listeners: [],
  },
};
const service: ObjectStatus = {
  kind: 'Service',
  namespace: 'demo',
  name: 'web',
  loadBalancers: [],
  status: { loadBalancer: { ingress: [{ ip: '127.0.0.2' }] } },
};

describe('cli: markKeptObjects', () => {
  it('turns Accepted False (Invalid, current generation) on a kept Gateway, and leaves the rest alone', () => {
    const [gw, svc] = markKeptObjects(
      [gateway, service],
      [
        {
          kind: 'Gateway',
          namespace: 'demo',
          name: 'web',
          generation: 4,
          field: 'spec.listeners',
          message: 'bad',
        },
        {
          kind: 'Service',
          namespace: 'demo',
          name: 'web',
          generation: 2,
          field: 'spec.ports',
          message: 'bad',
        },
      ],
    );
    expect((gw!.status as { conditions: unknown[] }).conditions).toEqual([
      {
        type: 'Accepted',
        status: 'False',
        reason: 'Invalid',
        message:
          'The current version is invalid (spec.listeners: bad); the last valid version stays programmed',
        observedGeneration: 4,
      },
      condition('Programmed', true, 'Programmed', 'ok', 1),
    ]);
    expect(svc).toEqual(service);
    expect(markKeptObjects([gateway], [])).toEqual([gateway]);
  });
});
