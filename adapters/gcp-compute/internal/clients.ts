// The @google-cloud/compute v1 REST clients the adapter calls. The library takes a second or more to
// import and pulls in google-gax, so it is loaded on first use (dynamic import, once per process):
// nothing that does not program GCP loads it, not even through this file's importers.

import type { AuthClient } from 'google-auth-library';

/** Where and how to reach the Compute API; all optional (production: Application Default Credentials). */
export interface GcpClientOptions {
  /** An authenticated client (Workload Identity Federation, a PassThroughClient for emulators). */
  authClient?: AuthClient;
  /** Host of the API, `compute.googleapis.com` by default; an emulator's `127.0.0.1`. */
  apiEndpoint?: string;
  port?: number;
  protocol?: 'http' | 'https';
}

/** One JSON-over-REST method of a generated client: `urlMaps.get({ project, urlMap })`. */
export type ComputeMethod = (request: Record<string, unknown>, options?: object) => unknown;

/** A generated client seen by method name: calls go through internal/calls.ts, which types the answers. */
export type ComputeClient = Record<string, ComputeMethod> & { close(): Promise<void> };

const CLIENTS = {
  urlMaps: 'UrlMapsClient',
  regionUrlMaps: 'RegionUrlMapsClient',
  backendServices: 'BackendServicesClient',
  regionBackendServices: 'RegionBackendServicesClient',
  backendBuckets: 'BackendBucketsClient',
  healthChecks: 'HealthChecksClient',
  regionHealthChecks: 'RegionHealthChecksClient',
  globalForwardingRules: 'GlobalForwardingRulesClient',
  forwardingRules: 'ForwardingRulesClient',
  targetHttpProxies: 'TargetHttpProxiesClient',
  regionTargetHttpProxies: 'RegionTargetHttpProxiesClient',
  targetHttpsProxies: 'TargetHttpsProxiesClient',
  regionTargetHttpsProxies: 'RegionTargetHttpsProxiesClient',
  sslCertificates: 'SslCertificatesClient',
  regionSslCertificates: 'RegionSslCertificatesClient',
  networkEndpointGroups: 'NetworkEndpointGroupsClient',
  globalOperations: 'GlobalOperationsClient',
  regionOperations: 'RegionOperationsClient',
  zoneOperations: 'ZoneOperationsClient',
} as const;

export type ClientName = keyof typeof CLIENTS;

export type GcpClients = Record<ClientName, ComputeClient> & { close(): Promise<void> };

type ComputeLibrary = typeof import('@google-cloud/compute');
let library: Promise<ComputeLibrary> | undefined;

/** The library, imported once per process. */
export function loadComputeLibrary(): Promise<ComputeLibrary> {
  library ??= import('@google-cloud/compute');
  return library;
}

/**
 * The clients the adapter uses, over REST (`fallback`), sharing one set of options. Each is made on
 * first use: a client costs tens of milliseconds to construct, and an observe uses only some of them.
 */
export async function createGcpClients(opts: GcpClientOptions): Promise<GcpClients> {
  const { v1 } = await loadComputeLibrary();
  const options = {
    fallback: true,
    ...(opts.authClient ? { authClient: opts.authClient } : {}),
    ...(opts.apiEndpoint !== undefined ? { apiEndpoint: opts.apiEndpoint } : {}),
    ...(opts.port !== undefined ? { port: opts.port } : {}),
    ...(opts.protocol !== undefined ? { protocol: opts.protocol } : {}),
  };
  const made = new Map<ClientName, ComputeClient>();
  const clients = {} as GcpClients;
  for (const name of Object.keys(CLIENTS) as ClientName[])
    Object.defineProperty(clients, name, {
      enumerable: true,
      get() {
        let c = made.get(name);
        if (!c) {
          const Client = v1[CLIENTS[name]] as unknown as new (o: typeof options) => ComputeClient;
          c = new Client(options);
          made.set(name, c);
        }
        return c;
      },
    });
  clients.close = async () => {
    const open = [...made.values()];
    made.clear();
    await Promise.all(open.map((c) => c.close()));
  };
  return clients;
}
