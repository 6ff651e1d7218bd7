// The clients the emulator's tests use (the real library, one set per test file) and an operation
// waiter that loops on `wait` like the Node samples do, failing on an operation that ends in error.

import { afterAll, beforeAll, beforeEach } from 'vitest';
import { emulatorClientOptions, loadCompute } from './client.js';
import {
  type GcpComputeEmulator,
  type GcpComputeEmulatorOptions,
  startGcpComputeEmulator,
} from './server.js';

export const PROJECT = 'portico-test';
export const REGION = 'europe-west1';
export const ZONE = 'europe-west1-b';

export async function computeClients(emu: GcpComputeEmulator) {
  const { v1 } = await loadCompute();
  const o = await emulatorClientOptions(emu);
  const clients = {
    urlMaps: new v1.UrlMapsClient(o),
    regionUrlMaps: new v1.RegionUrlMapsClient(o),
    backendServices: new v1.BackendServicesClient(o),
    regionBackendServices: new v1.RegionBackendServicesClient(o),
    backendBuckets: new v1.BackendBucketsClient(o),
    healthChecks: new v1.HealthChecksClient(o),
    regionHealthChecks: new v1.RegionHealthChecksClient(o),
    globalForwardingRules: new v1.GlobalForwardingRulesClient(o),
    forwardingRules: new v1.ForwardingRulesClient(o),
    targetHttpProxies: new v1.TargetHttpProxiesClient(o),
    targetHttpsProxies: new v1.TargetHttpsProxiesClient(o),
    regionTargetHttpProxies: new v1.RegionTargetHttpProxiesClient(o),
    sslCertificates: new v1.SslCertificatesClient(o),
    regionSslCertificates: new v1.RegionSslCertificatesClient(o),
    networkEndpointGroups: new v1.NetworkEndpointGroupsClient(o),
    globalAddresses: new v1.GlobalAddressesClient(o),
    addresses: new v1.AddressesClient(o),
    globalOperations: new v1.GlobalOperationsClient(o),
    regionOperations: new v1.RegionOperationsClient(o),
    zoneOperations: new v1.ZoneOperationsClient(o),
  };
  return {
    ...clients,
    async close() {
      await Promise.all(Object.values(clients).map((c) => c.close()));
    },
  };
}
export type ComputeClients = Awaited<ReturnType<typeof computeClients>>;

/**
 * For a test file: an emulator started with `options` and one set of clients on it, handed to
 * `started` before the first test; the emulator is reset before each test (before the file's own
 * beforeEach), and both are closed after the last.
 */
export function onEmulatorWithClients(
  options: GcpComputeEmulatorOptions,
  started: (it: { emu: GcpComputeEmulator; c: ComputeClients }) => void,
): void {
  let emu: GcpComputeEmulator | undefined;
  let c: ComputeClients | undefined;
  beforeAll(async () => {
    emu = await startGcpComputeEmulator(options);
    c = await computeClients(emu);
    started({ emu, c });
  }, 60_000);
  afterAll(async () => {
    await c?.close();
    await emu?.close();
  });
  beforeEach(() => emu?.reset());
}

interface OperationLike {
  name?: string | null;
  status?: string | number | null;
  zone?: string | null;
  region?: string | null;
  error?: { errors?: { code?: string | null; message?: string | null }[] | null } | null;
}

/** Waits for a mutation's operation (global, regional or zonal by its links); returns the DONE operation. */
export async function done(
  c: ComputeClients,
  mutation: Promise<[{ latestResponse: unknown }, ...unknown[]]>,
): Promise<OperationLike> {
  const [lro] = await mutation;
  let op = lro.latestResponse as OperationLike;
  let polls = 0;
  while (op.status !== 'DONE') {
    if (++polls > 100) throw new Error(`operation ${op.name} is still ${op.status}`);
    const operation = op.name!;
    if (op.zone)
      [op] = await c.zoneOperations.wait({ project: PROJECT, zone: op.zone.split('/').pop()!, operation });
    else if (op.region)
      [op] = await c.regionOperations.wait({
        project: PROJECT,
        region: op.region.split('/').pop()!,
        operation,
      });
    else [op] = await c.globalOperations.wait({ project: PROJECT, operation });
  }
  return op;
}

/** Like `done`, but an operation that ends in error throws its first error code and message. */
export async function succeeded(
  c: ComputeClients,
  mutation: Promise<[{ latestResponse: unknown }, ...unknown[]]>,
): Promise<OperationLike> {
  const op = await done(c, mutation);
  const e = op.error?.errors?.[0];
  if (e) throw new Error(`operation failed: ${e.code}: ${e.message}`);
  return op;
}

export const link = (path: string) => `https://www.googleapis.com/compute/v1/projects/${PROJECT}/${path}`;

/** The HTTP status and GCP reason of a client error (the library maps statuses to gRPC codes). */
export async function rejection(
  p: Promise<unknown>,
): Promise<{ status: number; message: string; reason?: string }> {
  try {
    await p;
  } catch (err) {
    const e = err as { httpStatusCode?: number; message: string; reason?: string };
    return { status: e.httpStatusCode ?? -1, message: e.message, ...(e.reason ? { reason: e.reason } : {}) };
  }
  throw new Error('expected the call to fail');
}

/** Inserts health check `hc` (with `resource`'s fields) in PROJECT and waits for its operation. */
export function insertHealthCheck(c: ComputeClients, resource: { type: string } & Record<string, unknown>) {
  return succeeded(
    c,
    c.healthChecks.insert({ project: PROJECT, healthCheckResource: { name: 'hc', ...resource } }),
  );
}
