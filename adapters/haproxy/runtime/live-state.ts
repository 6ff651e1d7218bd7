// What HAProxy really runs, in the plain shape apply-runtime plans from: the managed files on disk
// (what the next start or reload runs), the server slots as the running worker has them (`show
// servers state`: endpoint changes made through the runtime API, by us or by hand), and the entries
// of the maps asked for as the worker has them (`show map`). Backends and maps that the config on
// disk does not name are someone else's (an attached operator's own files) and are left out.

import type { BackendSlots, HAProxyDesired, MapContent, SlotContent } from './apply-runtime.js';
import type { CliRequestOptions } from './cli-socket.js';
import type { ConfigStore } from './config-store.js';
import { parseMapFile } from './map-file.js';
import type { RuntimeClient, ServerRuntimeState } from './runtime-client.js';
import { serverLines } from './server-lines.js';

export interface LiveStateOptions {
  /** Map files (paths relative to the state dir) whose entries are read from the worker, not the file. */
  runtimeMaps?: readonly string[];
  /**
   * Entries of some of those maps just read from the worker (by observe, in the same reconcile and
   * the adapter's queue): not asked again.
   */
  knownMaps?: ReadonlyMap<string, readonly (readonly [string, string])[]>;
  signal?: AbortSignal;
}

export async function readLiveState(
  store: ConfigStore,
  runtime: RuntimeClient,
  opts: LiveStateOptions = {},
): Promise<HAProxyDesired> {
  const cli: CliRequestOptions = opts.signal ? { signal: opts.signal } : {};
  const files = await store.read();
  const ours = new Set([...serverLines(files[store.configFile] ?? '').keys()]);
  const bySlot = new Map<string, SlotContent[]>();
  for (const s of await runtime.showServersState(undefined, cli)) {
    if (!ours.has(`${s.backend}/${s.server}`)) continue;
    const list = bySlot.get(s.backend) ?? [];
    list.push(slotContent(s));
    bySlot.set(s.backend, list);
  }
  const backends: BackendSlots[] = [...bySlot].map(([backend, slots]) => ({ backend, slots }));
  const wanted = new Set(opts.runtimeMaps ?? []);
  const known = opts.knownMaps ?? new Map();
  const loaded = [...wanted].some((p) => !known.has(p)) ? await runtime.showMaps(cli) : [];
  const maps: MapContent[] = [];
  for (const [path, content] of Object.entries(files)) {
    if (!path.endsWith('.map')) continue;
    const ref = wanted.has(path)
      ? loaded.find((l) => l.path === path || l.path.endsWith(`/${path}`))?.path
      : undefined;
    // A map the worker has not loaded is absent from what runs: no entries.
    const entries = !wanted.has(path)
      ? parseMapFile(content)
      : (known.get(path) ?? (ref === undefined ? [] : await runtime.showMap(ref, cli)));
    maps.push({ path, entries });
  }
  return { files, backends, maps };
}

/**
 * A slot in maintenance is a free slot, whatever address it still points at. Weight 0 is how the
 * config writes a draining endpoint (it has no drain state), so after a reload that is what it is.
 */
export function slotContent(s: ServerRuntimeState): SlotContent {
  if (s.state === 'maint') return { name: s.server, weight: s.weight, state: 'maint' };
  const drain = s.state === 'drain' || s.weight === 0;
  return {
    name: s.server,
    address: s.addr,
    port: s.port,
    weight: drain && s.weight === 0 ? 1 : s.weight,
    state: drain ? 'drain' : 'ready',
  };
}
