// The GCP path of the reconcile function, bundled like it (cold-start.ts): the registry, the
// gcp-compute adapter created, and its first observe of a load balancer against the emulator. Each
// step's time is measured from inside a fresh process.

import type { LoadBalancer } from '#core/ir/load-balancer.js';

export interface ColdStartTimes {
  /** registry + adapter modules + google-auth-library (the wiring's imports) */
  loadMs: number;
  /** the first observe: the Compute transport imported, clients built, the calls answered */
  firstCallMs: number;
  /** a second observe of the same load balancer, for comparison */
  secondCallMs: number;
  /** CPU time (user + system) of load and first call: less sensitive than wall time to other processes */
  loadCpuMs: number;
  firstCallCpuMs: number;
  resources: number;
}

export async function coldStart(port: number, project: string, lb: LoadBalancer): Promise<ColdStartTimes> {
  const cpu = () => {
    const u = process.cpuUsage();
    return (u.user + u.system) / 1000;
  };
  const c0 = cpu();
  const t0 = performance.now();
  const [{ PROVIDERS }, { emulatorAuthClient }] = await Promise.all([
    import('#adapters/registry.js'),
    import('./cold-start-auth.js'),
  ]);
  const gcp = PROVIDERS['gcp-compute'];
  const adapter = await gcp.create({
    project,
    clientOptions: { apiEndpoint: '127.0.0.1', port, protocol: 'http', authClient: emulatorAuthClient() },
  });
  const desired = adapter.render(lb).resources;
  const t1 = performance.now();
  const c1 = cpu();
  const signal = new AbortController().signal;
  const first = await adapter.observe(lb.key, { signal, desired });
  const t2 = performance.now();
  const c2 = cpu();
  await adapter.observe(lb.key, { signal, desired });
  const t3 = performance.now();
  await adapter.close();
  return {
    loadMs: t1 - t0,
    firstCallMs: t2 - t1,
    secondCallMs: t3 - t2,
    loadCpuMs: c1 - c0,
    firstCallCpuMs: c2 - c1,
    resources: first.resources.length,
  };
}
