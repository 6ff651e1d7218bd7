// The ELBv2 adapter: its pure half (render, diff spec, capabilities: enough for `portico plan`) and
// the full adapter, which adds observe, apply, listOwnedKeys and targetHealth over an
// `ElasticLoadBalancingV2Client`.
// It keeps nothing between calls: observe finds every resource by the names render gives it, so a
// fresh Lambda container costs what a warm one does.

import type { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import type * as ir from '#core/ir/load-balancer.js';
import type { LoadBalancerAdapter, Rendered } from '../types.js';
import { applyElbv2 } from './apply.js';
import type { CaBundleStore } from './ca-bundle-store.js';
import { ELBV2_CAPABILITIES } from './capabilities.js';
import { elbv2DiffSpec } from './diff-spec.js';
import { AWS_ELBV2_ADAPTER, type Elbv2Kinds } from './model.js';
import { listOwnedKeysElbv2, observeElbv2 } from './observe.js';
import { type Elbv2RenderOptions, renderElbv2 } from './render.js';
import { targetHealthElbv2 } from './target-health.js';

export type Elbv2PureHalf = Pick<
  LoadBalancerAdapter<Elbv2Kinds>,
  'name' | 'capabilities' | 'render' | 'diffSpec'
>;

/** The adapter's pure members, ready to be spread into the full adapter: `{ ...elbv2PureHalf(), observe, apply }`. */
export function elbv2PureHalf(opts: Elbv2RenderOptions = {}): Elbv2PureHalf {
  return {
    name: AWS_ELBV2_ADAPTER,
    capabilities: () => ELBV2_CAPABILITIES,
    render: (lb: ir.LoadBalancer): Rendered<Elbv2Kinds> => renderElbv2(lb, opts),
    diffSpec: elbv2DiffSpec,
  };
}

export interface Elbv2AdapterOptions extends Elbv2RenderOptions {
  client: ElasticLoadBalancingV2Client;
  /** For status and logs; the client's own region is the one called. */
  region: string;
  /** When set, only resources tagged with this cluster count as owned (else any cluster with the key). */
  cluster?: string;
  /**
   * Where trust stores' CA bundles are uploaded (S3: s3-ca-bundle-store.ts, loaded lazily with
   * lazyCaBundleStore). Without it, a listener with client validation fails its apply.
   */
  caBundles?: CaBundleStore;
}

export type Elbv2Adapter = LoadBalancerAdapter<Elbv2Kinds> & { readonly region: string };

export function createElbv2Adapter(opts: Elbv2AdapterOptions): Elbv2Adapter {
  const cluster = opts.cluster !== undefined ? { cluster: opts.cluster } : {};
  const caBundles = opts.caBundles !== undefined ? { caBundles: opts.caBundles } : {};
  return {
    ...elbv2PureHalf(opts),
    region: opts.region,
    observe: (key, { signal, desired }) =>
      observeElbv2({ client: opts.client, signal }, { key, desired, ...cluster }),
    apply: (plan, { signal }) =>
      applyElbv2({ client: opts.client, signal }, plan, { ...cluster, ...caBundles }),
    // An adapter set up for one cluster holds nothing of another.
    listOwnedKeys: async (of, { signal }) =>
      opts.cluster !== undefined && of !== opts.cluster
        ? { keys: [], complete: true }
        : listOwnedKeysElbv2({ client: opts.client, signal }, of),
    targetHealth: (lb, { signal }) =>
      targetHealthElbv2(
        { client: opts.client, signal },
        { key: lb.key, desired: renderElbv2(lb, opts).resources, ...cluster },
      ),
  };
}
