// How a backend service's health check sees the endpoints of its NEG backends (backendServices.getHealth,
// and listNetworkEndpoints with healthStatus SHOW). `instant` (default): every attached endpoint is
// HEALTHY. `simulated`: probes run as the health check says (health-checks.ts) from when the endpoint
// was attached or its NEG became a backend of the service, whichever is later: UNKNOWN until
// `healthyThreshold` probes pass (HEALTHY), UNHEALTHY after `unhealthyThreshold` fail; a detached
// endpoint reads DRAINING for the service's connectionDraining.drainingTimeoutSec.

import { CheckFailures, checkedState } from '../health-checks.js';
import { endpointKey, type NetworkEndpoint } from './network-endpoints.js';
import type { Json } from './store.js';

export type HealthMode = 'instant' | 'simulated';

export interface EndpointHealthState {
  endpoint: NetworkEndpoint;
  healthState: 'HEALTHY' | 'UNHEALTHY' | 'DRAINING' | 'UNKNOWN';
}

export class EndpointHealth {
  /** What each backend answers probes with (the tests' hooks). */
  readonly checks = new CheckFailures();
  /** Per NEG self link and endpoint key: when it was attached. */
  private readonly attachedAt = new Map<string, Map<string, number>>();
  /** Per NEG self link and endpoint key: detached endpoints and when. */
  private readonly detachedAt = new Map<string, Map<string, { endpoint: NetworkEndpoint; at: number }>>();
  /** Per `<backend service link> <NEG link>`: since when the NEG is a backend of the service. */
  private readonly backendSince = new Map<string, number>();

  constructor(
    private readonly mode: HealthMode,
    private readonly now: () => number,
  ) {}

  attached(neg: string, endpoints: readonly NetworkEndpoint[]): void {
    const at = this.now();
    const times = this.attachedAt.get(neg) ?? new Map<string, number>();
    this.attachedAt.set(neg, times);
    for (const e of endpoints) {
      times.set(endpointKey(e), at);
      this.detachedAt.get(neg)?.delete(endpointKey(e));
    }
  }

  detached(neg: string, endpoints: readonly NetworkEndpoint[]): void {
    const at = this.now();
    const gone = this.detachedAt.get(neg) ?? new Map<string, { endpoint: NetworkEndpoint; at: number }>();
    this.detachedAt.set(neg, gone);
    for (const e of endpoints) gone.set(endpointKey(e), { endpoint: e, at });
  }

  /** A backend service now has these NEG backends (insert, update, patch). */
  backends(service: string, groups: readonly string[]): void {
    const at = this.now();
    for (const key of [...this.backendSince.keys()])
      if (key.startsWith(`${service} `) && !groups.includes(key.slice(service.length + 1)))
        this.backendSince.delete(key);
    for (const g of groups)
      if (!this.backendSince.has(`${service} ${g}`)) this.backendSince.set(`${service} ${g}`, at);
  }

  /** A NEG or backend service is deleted: what it held goes with it. */
  forget(link: string): void {
    this.attachedAt.delete(link);
    this.detachedAt.delete(link);
    for (const key of [...this.backendSince.keys()])
      if (key.split(' ').includes(link)) this.backendSince.delete(key);
  }

  /**
   * The health of `attached` (the NEG's endpoints now) and of those still draining, as `service`'s
   * health check `check` sees them.
   */
  of(
    service: Json,
    neg: string,
    attached: readonly NetworkEndpoint[],
    check: Json | undefined,
  ): EndpointHealthState[] {
    const now = this.now();
    const drainingMs =
      Number((service.connectionDraining as Json | undefined)?.drainingTimeoutSec ?? 0) * 1000;
    const draining = [...(this.detachedAt.get(neg)?.values() ?? [])].filter((d) => now < d.at + drainingMs);
    const out: EndpointHealthState[] = attached.map((endpoint) => ({
      endpoint,
      healthState: this.probed(service, neg, endpoint, check, now),
    }));
    for (const d of draining) out.push({ endpoint: d.endpoint, healthState: 'DRAINING' });
    return out;
  }

  clear(): void {
    this.checks.clear();
    this.attachedAt.clear();
    this.detachedAt.clear();
    this.backendSince.clear();
  }

  private probed(
    service: Json,
    neg: string,
    e: NetworkEndpoint,
    check: Json | undefined,
    now: number,
  ): EndpointHealthState['healthState'] {
    if (this.mode === 'instant') return 'HEALTHY';
    if (!check) return 'UNKNOWN';
    const attached = this.attachedAt.get(neg)?.get(endpointKey(e)) ?? now;
    const backend = this.backendSince.get(`${String(service.selfLink)} ${neg}`) ?? now;
    const { state } = checkedState(
      {
        since: Math.max(attached, backend),
        now,
        intervalMs: Number(check.checkIntervalSec ?? 5) * 1000,
        healthyThreshold: Number(check.healthyThreshold ?? 2),
        unhealthyThreshold: Number(check.unhealthyThreshold ?? 2),
      },
      (at) => this.checks.failureAt(probedAddress(service, e), e.port, at),
    );
    return state === 'healthy' ? 'HEALTHY' : state === 'unhealthy' ? 'UNHEALTHY' : 'UNKNOWN';
  }
}

/** The address probes go to: the IPv6 one when the service reaches endpoints by IPv6 and it has one. */
function probedAddress(service: Json, e: NetworkEndpoint): string {
  const policy = service.ipAddressSelectionPolicy;
  const v6 = policy === 'IPV6_ONLY' || policy === 'PREFER_IPV6' ? e.ipv6Address : undefined;
  return v6 ?? e.ipAddress ?? e.ipv6Address ?? '';
}
