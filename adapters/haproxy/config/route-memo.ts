// What the HAProxy render keeps from one render of a load balancer to the next, so that a render
// after one route changed costs in proportion to that change, not to the Gateway's routes: each
// HTTP frontend's state (its compiled routes and sorted maps: http-frontend-state.ts), the routes'
// capability checks (adapters/capabilities.ts), each pool's plan and each backend's model (by the
// pool object: the IR keeps unchanged ones as the same object), and the resources last returned
// (the same objects again when their value is the same, so the planner and apply can tell them
// unchanged by identity). Owned by the caller (the adapter keeps one, shared by its load
// balancers): no globals. Without one, render starts from nothing.

import type { Route } from '#core/ir/load-balancer.js';
import type { DesiredResource } from '#core/plan/types.js';
import { KeptRouteChecks } from '../../capabilities.js';
import type {
  BackendModel,
  CertModel,
  FrontendModel,
  FrontendTls,
  HaproxyKinds,
  HaproxyValue,
  LbModel,
  MapModel,
} from '../model.js';
import type { PoolPlan } from './backends.js';
import type { FieldError } from './field-error.js';
import type { HttpFrontendState } from './http-frontend-state.js';

/** A pool's plan (or why it was refused), with what it was made from. */
export interface KeptPool {
  pool: unknown;
  /** The pool serialised, once asked for (when a render gets another object for it). */
  content?: string;
  zone: string | undefined;
  clientCertificate: unknown;
  result: { plan: PoolPlan } | { error: FieldError };
}

/** A backend's model, with what it was made from. */
export interface KeptBackend {
  plan: PoolPlan;
  mode: 'http' | 'tcp';
  retry: string;
  slotMinimum: number | undefined;
  model: BackendModel;
}

/** A terminating listener's TLS (or why it was refused), with its TLS content as text. */
export interface KeptListenerTls {
  content: string;
  result: { tls: FrontendTls; certs: CertModel[] } | { error: FieldError };
}

/** What one load balancer's last render made. */
export interface KeptLoadBalancer {
  /** Its routes' capability checks (adapters/capabilities.ts). */
  routeChecks: KeptRouteChecks;
  pools: Map<string, KeptPool>;
  backends: Map<string, KeptBackend>;
  /** By listener id. */
  listenerTls: Map<string, KeptListenerTls>;
  /** TCP/TLS frontends by name, with their content as text. */
  tcpFrontends: Map<string, { content: string; rendered: { frontend: FrontendModel; maps: MapModel[] } }>;
  last?: LbModel;
  /** Names of the HTTP frontends it rendered. */
  frontends: Set<string>;
  /** Its last resources, by value: a value rendered again gets the same resource object. */
  resources: WeakMap<HaproxyValue, DesiredResource<HaproxyKinds>>;
}

export class RenderMemo {
  readonly #frontends = new Map<string, HttpFrontendState>();
  readonly #loadBalancers = new Map<string, KeptLoadBalancer>();

  frontend(name: string): HttpFrontendState | undefined {
    return this.#frontends.get(name);
  }

  keepFrontend(name: string, state: HttpFrontendState): void {
    this.#frontends.set(name, state);
  }

  loadBalancer(key: string): KeptLoadBalancer {
    let kept = this.#loadBalancers.get(key);
    if (kept === undefined) {
      kept = {
        routeChecks: new KeptRouteChecks(),
        pools: new Map(),
        backends: new Map(),
        listenerTls: new Map(),
        tcpFrontends: new Map(),
        frontends: new Set(),
        resources: new WeakMap(),
      };
      this.#loadBalancers.set(key, kept);
    }
    return kept;
  }

  /** Load balancer `key` is gone: nothing of it is kept. */
  forget(key: string): void {
    const kept = this.#loadBalancers.get(key);
    for (const name of kept?.frontends ?? []) this.#frontends.delete(name);
    this.#loadBalancers.delete(key);
  }

  /** After a render of load balancer `key`: forgets its HTTP frontends it did not render. */
  renderedFrontends(key: string, names: ReadonlySet<string>): void {
    const kept = this.loadBalancer(key);
    for (const name of kept.frontends) if (!names.has(name)) this.#frontends.delete(name);
    kept.frontends = new Set(names);
  }
}

/**
 * A route's content key: its IR serialised, to reuse a compile when a route object is replaced by an
 * equal one. IR objects are never edited, so the serialisation is kept per object.
 */
const keys = new WeakMap<Route, string>();

export function routeKey(route: Route): string {
  let key = keys.get(route);
  if (key === undefined) {
    key = JSON.stringify(route);
    keys.set(route, key);
  }
  return key;
}
