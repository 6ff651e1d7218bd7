// The HAProxy provider (on-prem and local), as adapters/registry.ts lists it. Its modules (render,
// the runtime that drives HAProxy) are imported when asked for, not with this file.

import { parseLbKey } from '#core/ir/lb-key.js';
import type { LbKey } from '#core/ir/load-balancer.js';
import type { AdapterDescriptor, Observed } from '../types.js';
import type { HaproxyAdapter, HaproxyAdapterOptions } from './adapter.js';
import { HAPROXY_CAPABILITIES } from './capabilities.js';
import { HAPROXY_ADAPTER, type HaproxyKinds } from './model.js';

export interface HaproxyReaderOptions {
  /** The adapter's state directory (`portico dev --state-dir`): its saved state is read, never written. */
  stateDir: string;
}

export const haproxy: AdapterDescriptor<
  HaproxyKinds,
  HaproxyAdapterOptions,
  HaproxyAdapter,
  HaproxyReaderOptions
> = {
  name: HAPROXY_ADAPTER,
  capabilities: HAPROXY_CAPABILITIES,
  async pure() {
    const [{ renderHaproxy }, { haproxyDiffSpec }] = await Promise.all([
      import('./render.js'),
      import('./diff-spec.js'),
    ]);
    return {
      name: HAPROXY_ADAPTER,
      capabilities: () => HAPROXY_CAPABILITIES,
      render: (lb) => renderHaproxy(lb),
      diffSpec: haproxyDiffSpec,
    };
  },
  async create(options) {
    const { createHaproxyAdapter } = await import('./adapter.js');
    return createHaproxyAdapter(options);
  },
  async reader({ stateDir }) {
    const [pure, { readSavedState }] = await Promise.all([haproxy.pure(), import('./state/saved-state.js')]);
    // Everything in the adapter's saved state is Portico's own (state/saved-state.ts).
    const saved = await readSavedState(stateDir);
    return {
      ...pure,
      async observe(key: LbKey, { signal }): Promise<Observed<HaproxyKinds>> {
        signal.throwIfAborted();
        const resources = (saved.resources[key] ?? []).map((r) => ({ ...r, owned: true }));
        return { resources, complete: true };
      },
      async listOwnedKeys(cluster: string, { signal }) {
        signal.throwIfAborted();
        const keys = Object.keys(saved.resources).filter(
          (k) => parseLbKey(k)?.cluster === cluster && (saved.resources[k]?.length ?? 0) > 0,
        );
        return { keys: keys.sort(), complete: true };
      },
    };
  },
};
