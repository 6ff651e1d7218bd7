// The complete ELBv2 adapter: the pure half (render, diff spec, capabilities) plus observe and apply
// over an `ElasticLoadBalancingV2Client`. The adapter remembers, per load balancer key, the names
// render produced and the ARNs it has seen, so observe looks resources up by name instead of listing
// the region (the AWS LB controller's own TODO: persist ARNs).

import type { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import type * as ir from '#core/ir/load-balancer.js';
import type { LoadBalancerAdapter } from '../types.js';
import { applyElbv2 } from './apply.js';
import { listOwnedKeysElbv2 } from './list-owned.js';
import type { Elbv2Kinds } from './model.js';
import { newMemory, observeElbv2, remember } from './observe.js';
import { elbv2PureHalf } from './pure-half.js';
import type { Elbv2RenderOptions } from './render.js';

export interface Elbv2AdapterOptions extends Elbv2RenderOptions {
  client: ElasticLoadBalancingV2Client;
  /** For status and logs; the client's own region is the one called. */
  region: string;
  /** When set, only resources tagged with this cluster count as owned (else any cluster with the key). */
  cluster?: string;
}

export type Elbv2Adapter = LoadBalancerAdapter<Elbv2Kinds> & { readonly region: string };

export function createElbv2Adapter(opts: Elbv2AdapterOptions): Elbv2Adapter {
  const pure = elbv2PureHalf(opts);
  const memory = newMemory();
  const cluster = opts.cluster !== undefined ? { cluster: opts.cluster } : {};
  return {
    ...pure,
    region: opts.region,
    render(lb: ir.LoadBalancer) {
      const rendered = pure.render(lb);
      for (const r of rendered.resources) {
        if (r.kind === 'load-balancer') remember(memory, lb.key, 'loadBalancers', r.value.name);
        if (r.kind === 'target-group') remember(memory, lb.key, 'targetGroups', r.value.name);
      }
      return rendered;
    },
    observe: (key, { signal }) => observeElbv2({ client: opts.client, signal }, { key, memory, ...cluster }),
    apply: (plan, { signal }) => applyElbv2({ client: opts.client, signal }, plan, { memory, ...cluster }),
    // An adapter set up for one cluster holds nothing of another.
    listOwnedKeys: async (of, { signal }) =>
      opts.cluster !== undefined && of !== opts.cluster
        ? { keys: [], complete: true }
        : listOwnedKeysElbv2({ client: opts.client, signal }, of),
  };
}
