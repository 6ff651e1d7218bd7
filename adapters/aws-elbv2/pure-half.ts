// The adapter's pure members, ready to be spread into the full LoadBalancerAdapter once observe and
// apply exist: `{ ...elbv2PureHalf, observe, apply }`.

import type * as ir from '#core/ir/load-balancer.js';
import type { LoadBalancerAdapter, Rendered } from '../types.js';
import { ELBV2_CAPABILITIES } from './capabilities.js';
import { elbv2DiffSpec } from './diff-spec.js';
import { AWS_ELBV2_ADAPTER, type Elbv2Kinds } from './model.js';
import { type Elbv2RenderOptions, renderElbv2 } from './render.js';

export type Elbv2PureHalf = Pick<
  LoadBalancerAdapter<Elbv2Kinds>,
  'name' | 'capabilities' | 'render' | 'diffSpec'
>;

export function elbv2PureHalf(opts: Elbv2RenderOptions = {}): Elbv2PureHalf {
  return {
    name: AWS_ELBV2_ADAPTER,
    capabilities: () => ELBV2_CAPABILITIES,
    render: (lb: ir.LoadBalancer): Rendered<Elbv2Kinds> => renderElbv2(lb, opts),
    diffSpec: elbv2DiffSpec,
  };
}
