// The fake provider (in memory, for tests and local wiring), in the shape of every adapter. Not a
// provider translate can choose: tests register it under a real provider's name.

import type { AdapterDescriptor } from '../types.js';
import type { FakeAdapter, FakeAdapterOptions } from './adapter.js';
import { FAKE_CAPABILITIES } from './capabilities.js';
import { FAKE_ADAPTER } from './naming.js';
import type { FakeKinds } from './resources.js';

export const fake: AdapterDescriptor<FakeKinds, FakeAdapterOptions, FakeAdapter> = {
  name: FAKE_ADAPTER,
  capabilities: FAKE_CAPABILITIES,
  async pure() {
    const [{ renderFake }, { fakeDiffSpec }] = await Promise.all([
      import('./render.js'),
      import('./diff-spec.js'),
    ]);
    return {
      name: FAKE_ADAPTER,
      capabilities: () => FAKE_CAPABILITIES,
      render: (lb) => renderFake(lb, FAKE_CAPABILITIES),
      diffSpec: fakeDiffSpec,
    };
  },
  async create(options) {
    const { createFakeAdapter } = await import('./adapter.js');
    return createFakeAdapter(options);
  },
};
