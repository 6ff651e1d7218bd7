// The AWS ELBv2 provider (Application and Network Load Balancers), as adapters/registry.ts lists it.
// Its modules (render, the SDK calls) are imported when asked for, not with this file.

import type { AdapterDescriptor } from '../types.js';
import type { Elbv2Adapter, Elbv2AdapterOptions } from './adapter.js';
import { ELBV2_CAPABILITIES } from './capabilities.js';
import { AWS_ELBV2_ADAPTER, type Elbv2Kinds } from './model.js';

/**
 * `create` and `reader` take an `ElasticLoadBalancingV2Client` of the region to program: the
 * caller builds it (the functions from their own small client module, the CLI from the default
 * credential chain). The reader only sends Describe* calls.
 */
export const awsElbv2: AdapterDescriptor<Elbv2Kinds, Elbv2AdapterOptions, Elbv2Adapter> = {
  name: AWS_ELBV2_ADAPTER,
  capabilities: ELBV2_CAPABILITIES,
  async pure() {
    const { elbv2PureHalf } = await import('./adapter.js');
    return elbv2PureHalf();
  },
  async create(options) {
    const { createElbv2Adapter } = await import('./adapter.js');
    return createElbv2Adapter(options);
  },
  async reader(options) {
    const { createElbv2Adapter } = await import('./adapter.js');
    const { name, capabilities, render, diffSpec, observe, listOwnedKeys } = createElbv2Adapter(options);
    return { name, capabilities, render, diffSpec, observe, ...(listOwnedKeys ? { listOwnedKeys } : {}) };
  },
};
