// The GCP Compute provider (global and regional Application Load Balancers), as adapters/registry.ts
// lists it. Its modules (render, and @google-cloud/compute with them) are imported when asked for,
// not with this file.

import type { AdapterDescriptor } from '../types.js';
import type { GcpComputeAdapter, GcpComputeAdapterOptions } from './adapter.js';
import { GCP_CAPABILITIES } from './capabilities.js';
import { GCP_COMPUTE_ADAPTER, type GcpKinds } from './model.js';

/**
 * `create` and `reader` take the project to program and how to reach the Compute API (an auth
 * client, or an emulator's endpoint). The reader only sends get and list calls.
 */
export const gcpCompute: AdapterDescriptor<GcpKinds, GcpComputeAdapterOptions, GcpComputeAdapter> = {
  name: GCP_COMPUTE_ADAPTER,
  capabilities: GCP_CAPABILITIES,
  async pure() {
    const { gcpComputePureHalf } = await import('./adapter.js');
    return gcpComputePureHalf();
  },
  async create(options) {
    const { createGcpComputeAdapter } = await import('./adapter.js');
    return createGcpComputeAdapter(options);
  },
  async reader(options) {
    const { createGcpComputeAdapter } = await import('./adapter.js');
    const { name, capabilities, render, diffSpec, observe, listOwnedKeys } = createGcpComputeAdapter(options);
    return { name, capabilities, render, diffSpec, observe, ...(listOwnedKeys ? { listOwnedKeys } : {}) };
  },
};
