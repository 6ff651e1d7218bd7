// The GCP Compute adapter's pure half (render, diff spec, capabilities: enough for `portico plan` and
// the render corpus). observe and apply over @google-cloud/compute are not written yet, so the
// provider is not in adapters/registry.ts.

import type * as ir from '#core/ir/load-balancer.js';
import type { PureAdapter, Rendered } from '../types.js';
import { GCP_CAPABILITIES } from './capabilities.js';
import { gcpDiffSpec } from './diff-spec.js';
import { GCP_COMPUTE_ADAPTER, type GcpKinds } from './model.js';
import { type GcpRenderOptions, renderGcpCompute } from './render.js';

export function gcpComputePureHalf(opts: GcpRenderOptions = {}): PureAdapter<GcpKinds> {
  return {
    name: GCP_COMPUTE_ADAPTER,
    capabilities: () => GCP_CAPABILITIES,
    render: (lb: ir.LoadBalancer): Rendered<GcpKinds> => renderGcpCompute(lb, opts),
    diffSpec: gcpDiffSpec,
  };
}
