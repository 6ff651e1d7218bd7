// The fixture of the HAProxy adapter tests that route between two Services: backends `a` and `b`
// and a real HAProxy adapter, for one test file.

import { afterAll, beforeAll } from 'vitest';
import { createHaproxyAdapter, type HaproxyAdapter } from '#adapters/haproxy/adapter.js';
import { makeStateDir, startBackend, type TestBackend } from './support.js';

export interface AdapterAndBackends {
  /** Backends answering `a` and `b`. */
  a: TestBackend;
  b: TestBackend;
  adapter: HaproxyAdapter;
  stateDir: string;
}

/**
 * For a test file: backends `a` and `b` and an HAProxy adapter (state dir tagged `tag`, address
 * pool `addressPool`), handed to `started` before the first test and stopped after the last.
 */
export function onAdapterAndBackends(
  tag: string,
  addressPool: string,
  started: (it: AdapterAndBackends) => void,
): void {
  let backends: TestBackend[] = [];
  let state: ReturnType<typeof makeStateDir> | undefined;
  let adapter: HaproxyAdapter | undefined;
  beforeAll(async () => {
    backends = await Promise.all([startBackend('a'), startBackend('b')]);
    state = makeStateDir(tag);
    adapter = createHaproxyAdapter({ stateDir: state.dir, addressPool });
    started({ a: backends[0]!, b: backends[1]!, adapter, stateDir: state.dir });
  });
  afterAll(async () => {
    await adapter?.stop();
    await Promise.all(backends.map((b) => b.close()));
    state?.cleanup();
  });
}
