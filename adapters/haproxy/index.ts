// The HAProxy provider (on-prem and local), as adapters/registry.ts lists it. Its modules (render,
// the runtime that drives HAProxy) are imported when asked for, not with this file.

import { parseLbKey } from '#core/ir/lb-key.js';
import type { LbKey } from '#core/ir/load-balancer.js';
import type { AdapterDescriptor, Observed } from '../types.js';
import type { HaproxyAdapter, HaproxyAdapterOptions } from './adapter.js';
import { HAPROXY_CAPABILITIES } from './capabilities.js';
import { HAPROXY_ADAPTER, type HaproxyKinds } from './model.js';
import type { SavedState } from './state/saved-state.js';

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
    const [pure, saved] = await Promise.all([haproxy.pure(), readSavedState(stateDir)]);
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

/**
 * The resources and addresses the adapter last applied, per key, from the state file it keeps next
 * to haproxy.cfg (`portico-state.json`, see state/saved-state.ts): everything in it is Portico's own. A
 * directory without one holds nothing yet; a directory that does not exist is a mistake worth saying.
 */
async function readSavedState(stateDir: string): Promise<Pick<SavedState, 'addresses' | 'resources'>> {
  const [{ readFile, stat }, { join }] = await Promise.all([import('node:fs/promises'), import('node:path')]);
  const dir = await stat(stateDir).catch(() => undefined);
  if (!dir?.isDirectory())
    throw new Error(`${stateDir} is not a directory (the HAProxy adapter's state dir)`);
  const file = join(stateDir, 'portico-state.json');
  const text = await readFile(file, 'utf8').catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return undefined;
    throw err;
  });
  if (text === undefined) return { addresses: {}, resources: {} };
  const state = JSON.parse(text) as Partial<SavedState>;
  const isRecord = (v: unknown) => typeof v === 'object' && v !== null && !Array.isArray(v);
  if (!isRecord(state.resources) || !isRecord(state.addresses))
    throw new Error(`${file} is not a state file of Portico's HAProxy adapter (no resources and addresses)`);
  return state as SavedState;
}
