// The Compute v1 REST clients the adapter calls (compute-rest.ts: @google-cloud/compute's transport
// and types, one service's at a time). google-gax and google-auth-library take half a second to
// import, so they are loaded on first use (dynamic import, once per process): nothing that does not
// program GCP loads them, not even through this file's importers.

import type { AuthClient } from 'google-auth-library';
import type { ComputeService } from './compute-protos.js';
import { createGoogleRest, type GoogleRest } from './google-rest.js';

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
  urlMaps: 'UrlMaps',
  regionUrlMaps: 'RegionUrlMaps',
  backendServices: 'BackendServices',
  regionBackendServices: 'RegionBackendServices',
  backendBuckets: 'BackendBuckets',
  healthChecks: 'HealthChecks',
  regionHealthChecks: 'RegionHealthChecks',
  globalForwardingRules: 'GlobalForwardingRules',
  forwardingRules: 'ForwardingRules',
  targetHttpProxies: 'TargetHttpProxies',
  regionTargetHttpProxies: 'RegionTargetHttpProxies',
  targetHttpsProxies: 'TargetHttpsProxies',
  regionTargetHttpsProxies: 'RegionTargetHttpsProxies',
  sslCertificates: 'SslCertificates',
  regionSslCertificates: 'RegionSslCertificates',
  networkEndpointGroups: 'NetworkEndpointGroups',
  globalOperations: 'GlobalOperations',
  regionOperations: 'RegionOperations',
  zoneOperations: 'ZoneOperations',
} as const satisfies Record<string, ComputeService>;

export type ClientName = keyof typeof CLIENTS;

export type GcpClients = Record<ClientName, ComputeClient> & {
  /** Certificate Manager, Network Security and Network Services (google-rest.ts), with the same options. */
  rest: GoogleRest;
  close(): Promise<void>;
};

type ComputeRest = typeof import('./compute-rest.js');
let library: Promise<ComputeRest> | undefined;

/** The transport (google-gax, google-auth-library) and the protos, imported once per process. */
export function loadComputeLibrary(): Promise<ComputeRest> {
  library ??= import('./compute-rest.js');
  return library;
}

/**
 * The clients the adapter uses, over REST, sharing one set of options. Each is made on first use:
 * a client builds its service's protobuf root, and an observe uses only some of them.
 */
export async function createGcpClients(opts: GcpClientOptions): Promise<GcpClients> {
  const { createComputeClient } = await loadComputeLibrary();
  const made = new Map<ClientName, ComputeClient>();
  const clients = {} as GcpClients;
  for (const name of Object.keys(CLIENTS) as ClientName[])
    Object.defineProperty(clients, name, {
      enumerable: true,
      get() {
        let c = made.get(name);
        if (!c) {
          c = createComputeClient(CLIENTS[name], opts);
          made.set(name, c);
        }
        return c;
      },
    });
  clients.rest = createGoogleRest(opts);
  clients.close = async () => {
    const open = [...made.values()];
    made.clear();
    await Promise.all(open.map((c) => c.close()));
  };
  return clients;
}
