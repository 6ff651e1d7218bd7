// A stateful local emulator of the Compute Engine REST API (the load-balancing resources) for tests,
// used only through the real `@google-cloud/compute` client over a real socket:
//
//   const emu = await startGcpComputeEmulator({ operationDelayMs: 50, limits: { rulesPerPathMatcher: 5 } });
//   const { v1 } = await loadCompute();
//   const urlMaps = new v1.UrlMapsClient(await emulatorClientOptions(emu));
//   emu.setFaults({ rateLimits: [{ pattern: '^networkEndpointGroups\\.', ratePerSecond: 15, burst: 30 }] });
//   emu.failNext({ pattern: '^urlMaps\\.update$', status: 412, reason: 'conditionNotMet' });
//   emu.failNextOperation({ pattern: '^backendServices\\.insert$', code: 'RESOURCE_NOT_READY' });
//   ... emu.stats().byMethod['urlMaps.insert'], emu.calls ...
//   await emu.close();
//
// routes.ts: URL → method; service.ts: state, lifecycle, references, fingerprints, in-use, quotas;
// kinds/: validation per resource kind; operations.ts: long-running operations; network-endpoints.ts:
// NEG endpoints; pagination.ts; limits.ts: GCP's documented limits; errors.ts: GCP's error bodies;
// faults.ts, counters.ts; server.ts: HTTP; client.ts: the client library, loaded lazily.

export { type ComputeModule, emulatorClientOptions, loadCompute } from './client.js';
export type { CallStats } from './counters.js';
export type { FaultConfig, RateLimitRule, ScriptedError, ScriptedOperationError } from './faults.js';
export { type ComputeLimits, DEFAULT_LIMITS } from './limits.js';
export {
  type CallRecord,
  GcpComputeEmulator,
  type GcpComputeEmulatorOptions,
  startGcpComputeEmulator,
} from './server.js';
