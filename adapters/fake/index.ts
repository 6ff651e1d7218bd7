// The fake provider (in memory, for tests and local wiring), in the shape of every adapter. Not a
// provider translate can choose: tests register it under a real provider's name.

import { EVERY_CAPABILITY } from '../capabilities.js';
import type { AdapterDescriptor } from '../types.js';
import type { FakeAdapter, FakeAdapterOptions } from './adapter.js';
import { FAKE_ADAPTER } from './naming.js';
import type { FakeKinds } from './resources.js';

export const fake: AdapterDescriptor<FakeKinds, FakeAdapterOptions, FakeAdapter> = {
  name: FAKE_ADAPTER,
  capabilities: EVERY_CAPABILITY,
  async pure() {
    const [{ renderFake }, { fakeDiffSpec }] = await Promise.all([
      import('./render.js'),
      import('./diff-spec.js'),
    ]);
    return {
      name: FAKE_ADAPTER,
      capabilities: () => EVERY_CAPABILITY,
      render: (lb) => renderFake(lb, EVERY_CAPABILITY),
      diffSpec: fakeDiffSpec,
    };
  },
  async create(options) {
    const { createFakeAdapter } = await import('./adapter.js');
    return createFakeAdapter(options);
  },
};
