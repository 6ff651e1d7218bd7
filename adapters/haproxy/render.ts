// Pure: one IR load balancer → the HAProxy model of it, as plan resources, plus a notice for every
// feature or value left out. Unsupported features (capabilities.ts) drop their route or listener
// whole; values that cannot be written safely drop the route (or listener, or pool) they are in.

import { isIPv4, isIPv6 } from 'node:net';
import type * as ir from '#core/ir/load-balancer.js';
import type { DesiredResource, Resource } from '#core/plan/types.js';
import { unsupportedFeatures, withoutUnsupported } from '../capabilities.js';
import type { AdapterNotice, Rendered } from '../types.js';
import { HAPROXY_CAPABILITIES } from './capabilities.js';
import { planBackendTls } from './config/backend-tls.js';
import { backendModel, type PoolPlan, planPool } from './config/backends.js';
import { renderCertificates } from './config/certificates.js';
import { renderClientValidation } from './config/client-validation.js';
import { cidr, UnsafeValueError } from './config/escape.js';
import { FieldError } from './config/field-error.js';
import type { FrontendScope } from './config/frontend-scope.js';
import { type HttpRouteMemo, renderHttpFrontend } from './config/http-frontend.js';
import { retryBackendName, UnsupportedRetryError } from './config/retry.js';
import type { KeptListenerTls, KeptLoadBalancer, KeptPool } from './config/route-memo.js';
import { renderTcpFrontend } from './config/tcp-frontend.js';
import { terminatesTls } from './config/tls-mixed.js';
import {
  type BackendModel,
  type BackendRetry,
  type CertModel,
  type FrontendModel,
  HAPROXY_ADAPTER,
  type HaproxyKinds,
  type HaproxyValue,
  type LbModel,
  type MapModel,
  POOL_ADDRESS,
  POOL_ADDRESS6,
} from './model.js';
import { backendName, haproxyAddress, lbId } from './naming.js';

export interface HaproxyRenderContext {
  /**
   * The operator's address pool (static configuration), to tell whether a requested address can be
   * honoured. Absent (as in `portico plan`): any requested IPv4 address is taken as given.
   */
  pool?: readonly string[];
  /** Server slots every backend has at least (default DEFAULT_SLOT_MINIMUM, see slotCountFor). */
  slotMinimum?: number;
  /** The zone HAProxy runs in: pools preferring close endpoints keep other zones' as backups. */
  zone?: string;
  /** Compiled routes kept from the last render (the adapter's own); absent = compile every route. */
  routeMemo?: HttpRouteMemo;
}

/** The model of one load balancer and the notices; renderHaproxy wraps it as resources. */
export function renderHaproxyModel(
  lb: ir.LoadBalancer,
  ctx: HaproxyRenderContext = {},
): { model: LbModel; notices: AdapterNotice[] } {
  const { address, address6, notices: addressNotices } = bindAddresses(lb, ctx.pool);
  const id = lbId(lb.key);
  const kept = ctx.routeMemo?.loadBalancer(lb.key);
  const notices = [
    ...unsupportedFeatures(lb, HAPROXY_CAPABILITIES, HAPROXY_ADAPTER, kept?.routeChecks),
    ...addressNotices,
    ...sourceRangeNotices(lb),
  ];
  const supported = withoutUnsupported(lb, notices);

  const plans = new Map<string, PoolPlan>();
  for (const pool of supported.pools) {
    const result = poolPlan(lb, id, pool, ctx.zone, kept);
    if ('error' in result) {
      const err = result.error;
      // Routes keep working: this pool's share is answered like an unresolved backend (500).
      notices.push({
        severity: 'error',
        code: 'UnsupportedValue',
        feature: `unsafe-value/${err.kind}`,
        source: pool.source,
        pool: pool.id,
        field: err.field,
        message: `pool ${pool.id}: ${err.field} cannot be programmed safely in HAProxy: ${err.reason}`,
      });
      continue;
    }
    const { plan } = result;
    if (pool.topology === 'PreferClose' && ctx.zone === undefined)
      notices.push({
        severity: 'warning',
        code: 'UnsupportedValue',
        feature: 'pool/topology/PreferClose',
        source: pool.source,
        pool: pool.id,
        message: `pool ${pool.id}: traffic cannot be kept in the zone (PreferClose) because the HAProxy adapter has no zone configured; every endpoint gets traffic`,
      });
    plans.set(pool.id, plan);
    for (const s of plan.skipped)
      notices.push({
        severity: 'warning',
        code: 'UnsupportedValue',
        feature: 'unsafe-value/endpoint',
        source: pool.source,
        pool: pool.id,
        field: `endpoints[${s.index}]`,
        message: `pool ${pool.id}: endpoint ${s.index} left out: ${s.reason}`,
      });
  }
  if (kept && kept.pools.size > supported.pools.length) {
    const ids = new Set(supported.pools.map((p) => p.id));
    for (const poolId of kept.pools.keys()) if (!ids.has(poolId)) kept.pools.delete(poolId);
  }

  const backends = new Map<string, BackendModel>();
  const frontends: FrontendModel[] = [];
  const maps: MapModel[] = [];
  // Backend TLS files of the pools (a pool no backend ends up using still has them: harmless).
  const certs: CertModel[] = uniqueByName([...plans.values()].flatMap((p) => p.tls?.certs ?? []));
  const sourceRanges = supported.sourceRanges.length > 0 ? [...supported.sourceRanges] : [];
  const scope: Omit<FrontendScope, 'tls'> = {
    lbKey: lb.key,
    lb: id,
    address,
    ...(address6 !== undefined ? { address6 } : {}),
    sourceRanges,
    ...(ctx.routeMemo ? { routeMemo: ctx.routeMemo } : {}),
    backend(pool, mode, retry) {
      const plan = pool === null ? undefined : plans.get(pool);
      if (!plan) return undefined;
      const backendRetry = mode === 'http' ? retry : undefined;
      const name = backendRetry
        ? retryBackendName(lb.key, plan.pool.id, backendRetry)
        : backendName(lb.key, plan.pool.id, mode);
      if (!backends.has(name))
        backends.set(name, keptBackend(lb.key, id, name, plan, mode, backendRetry, ctx.slotMinimum, kept));
      return name;
    },
    warnRoute(listener, route, feature, message) {
      notices.push({
        severity: 'warning',
        code: 'UnsupportedValue',
        feature,
        source: route.source,
        listener: listener.id,
        route: route.id,
        message: `route ${route.id}: ${message}`,
      });
    },
    rejectRoute(listener, route, err) {
      if (err instanceof UnsupportedRetryError)
        return void notices.push({
          severity: 'error',
          code: 'UnsupportedValue',
          feature: 'retry/codes',
          source: route.source,
          listener: listener.id,
          route: route.id,
          field: err.field,
          message: `route ${route.id}: ${err.reason}`,
        });
      notices.push({
        severity: 'error',
        code: err.kind === 'header-size' ? 'LimitExceeded' : 'UnsupportedValue',
        feature: `unsafe-value/${err.kind}`,
        source: route.source,
        listener: listener.id,
        route: route.id,
        field: err.field,
        message: `route ${route.id}: ${err.field} cannot be programmed safely in HAProxy: ${err.reason}`,
      });
    },
  };

  const httpFrontends = new Set<string>();
  for (const listener of supported.listeners) {
    let tls: FrontendScope['tls'];
    if (terminatesTls(listener)) {
      const r = listenerTls(lb.key, id, listener, kept);
      if ('error' in r) {
        const err = r.error;
        for (const source of listener.sources.length > 0 ? listener.sources : [lb.source])
          notices.push({
            severity: 'error',
            code: 'UnsupportedValue',
            feature: `unsafe-value/${err.kind}`,
            source,
            listener: listener.id,
            field: err.field,
            message: `listener ${listener.id}: ${err.reason}`,
          });
        continue;
      }
      tls = r.tls;
      certs.push(...r.certs);
    } else if (listener.tls?.mode === 'Passthrough') tls = { mode: 'Passthrough' };
    const s: FrontendScope = { ...scope, ...(tls ? { tls } : {}) };
    let r: { frontend: FrontendModel; maps: MapModel[] };
    if (listener.protocol === 'HTTP' || listener.protocol === 'HTTPS') {
      r = renderHttpFrontend(listener, s);
      httpFrontends.add(r.frontend.name);
    } else r = keptTcpFrontend(renderTcpFrontend(listener, s), kept);
    frontends.push(r.frontend);
    maps.push(...r.maps);
  }
  ctx.routeMemo?.renderedFrontends(lb.key, httpFrontends);
  // Only the backends this render used are kept for the next.
  if (kept) kept.backends = new Map([...backends.keys()].map((name) => [name, kept.backends.get(name)!]));

  const byName = <T extends { name: string }>(a: T, b: T) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
  const model: LbModel = {
    id,
    frontends,
    backends: sortedLike([...backends.values()], kept?.last?.backends, byName),
    maps: sortedLike(maps, kept?.last?.maps, byName),
    certs: sortedLike(certs, kept?.last?.certs, byName),
  };
  if (kept) kept.last = model;
  return { model, notices };
}

/**
 * The bind addresses, one per IP family of the load balancer (IPv4 first for dual-stack): for each,
 * a requested IP address of that family that the pool holds (the first such one), else the pool
 * placeholder (apply then gives the load balancer an address of its own). A request that cannot be
 * honoured is an error notice, and the load balancer still gets a pool address; a family the pool
 * has no address of stops the load balancer (an error notice on it).
 */
function bindAddresses(
  lb: ir.LoadBalancer,
  pool: readonly string[] | undefined,
): { address: string; address6?: string; notices: AdapterNotice[] } {
  const families = lb.ipFamilies ?? ['IPv4'];
  const notices: AdapterNotice[] = [];
  const requested = lb.requestedAddresses.filter((a) => a.type === 'IPAddress').map((a) => a.value);
  const pick = (family: ir.IpFamily): string => {
    const placeholder = family === 'IPv4' ? POOL_ADDRESS : POOL_ADDRESS6;
    const ofFamily = (a: string) => (family === 'IPv4' ? isIPv4(a) : isIPv6(a));
    if (pool !== undefined && !pool.some(ofFamily))
      notices.push({
        severity: 'error',
        code: 'UnsupportedValue',
        feature: `load-balancer/ip-family/${family}`,
        source: lb.source,
        field: 'ipFamilies',
        message: `the load balancer listens on ${family}, but the HAProxy address pool has no ${family} address`,
      });
    const wanted = requested.filter(ofFamily);
    if (wanted.length === 0) return placeholder;
    const usable = wanted.find((a) => pool === undefined || pool.includes(a));
    if (usable !== undefined) return usable;
    notices.push({
      severity: 'error',
      code: 'UnsupportedValue',
      feature: 'load-balancer/address/IPAddress',
      source: lb.source,
      field: 'requestedAddresses',
      message: `requested address ${wanted.join(', ')} is not in the HAProxy address pool; an address from the pool is used instead`,
    });
    return placeholder;
  };
  if (!families.includes('IPv4')) return { address: pick('IPv6'), notices };
  const address = pick('IPv4');
  return families.includes('IPv6') ? { address, address6: pick('IPv6'), notices } : { address, notices };
}

/** Source ranges we cannot read: nothing is programmed. */
function sourceRangeNotices(lb: ir.LoadBalancer): AdapterNotice[] {
  const notices: AdapterNotice[] = [];
  lb.sourceRanges.forEach((r, i) => {
    try {
      cidr(r);
    } catch (err) {
      // Ignoring one range would open the load balancer wider than asked: nothing is programmed.
      notices.push({
        severity: 'error',
        code: 'UnsupportedValue',
        feature: 'unsafe-value/source-range',
        source: lb.source,
        field: `sourceRanges[${i}]`,
        message: err instanceof UnsafeValueError ? err.reason : String(err),
      });
    }
  });
  return notices;
}

/**
 * Pure: the IR as HAProxy resources (one per frontend, backend, map and certificate), plus notices.
 * With a memo, a resource whose value is the same object as last render's is the same resource object.
 */
export function renderHaproxy(lb: ir.LoadBalancer, ctx: HaproxyRenderContext = {}): Rendered<HaproxyKinds> {
  const { model, notices } = renderHaproxyModel(lb, ctx);
  return { resources: modelResources(model, ctx.routeMemo?.loadBalancer(lb.key).resources), notices };
}

export function modelResources(
  model: LbModel,
  kept?: WeakMap<HaproxyValue, DesiredResource<HaproxyKinds>>,
): DesiredResource<HaproxyKinds>[] {
  type Desired = DesiredResource<HaproxyKinds>;
  const resource = <V extends HaproxyValue>(value: V, make: (value: V) => Desired): Desired => {
    let r = kept?.get(value);
    if (r === undefined) {
      r = make(value);
      kept?.set(value, r);
    }
    return r;
  };
  return [
    ...model.frontends.map((f) =>
      resource(f, (value) => ({
        address: haproxyAddress('frontend', f.lb, f.listener),
        kind: 'frontend',
        value,
      })),
    ),
    ...model.backends.map((b) =>
      resource(b, (value) => ({ address: haproxyAddress('backend', b.name), kind: 'backend', value })),
    ),
    ...model.maps.map((m) =>
      resource(m, (value) => ({ address: haproxyAddress('map', m.name), kind: 'map', value })),
    ),
    ...model.certs.map((c) =>
      resource(c, (value) => ({ address: haproxyAddress('cert', c.name), kind: 'cert', value })),
    ),
  ];
}

/** The models back from resources (desired or observed) of any number of load balancers. */
export function modelsFromResources(resources: readonly Resource<HaproxyKinds>[]): LbModel[] {
  const models = new Map<string, LbModel>();
  const of = (id: string) => {
    let m = models.get(id);
    if (!m) {
      m = { id, frontends: [], backends: [], maps: [], certs: [] };
      models.set(id, m);
    }
    return m;
  };
  for (const res of resources) {
    if (res.kind === 'frontend') of(res.value.lb).frontends.push(res.value);
    else if (res.kind === 'backend') of(res.value.lb).backends.push(res.value);
    else if (res.kind === 'map') of(res.value.lb).maps.push(res.value);
    else of(res.value.lb).certs.push(res.value);
  }
  return [...models.values()].sort((a, b) => (a.id < b.id ? -1 : 1));
}

/** References for the planner's dependency order: frontends after their maps, backends and certs. */
export function haproxyReferences(resource: Resource<HaproxyKinds>): string[] {
  if (resource.kind !== 'frontend') return [];
  const f = resource.value;
  return [
    ...f.maps.map((m) => haproxyAddress('map', m)),
    ...f.backends.map((b) => haproxyAddress('backend', b)),
    ...(f.tls?.mode === 'Terminate' ? f.tls.certificates.map((c) => haproxyAddress('cert', c.cert)) : []),
    ...(f.tls?.mode === 'Terminate' && f.tls.clientValidation
      ? [haproxyAddress('cert', f.tls.clientValidation.cert)]
      : []),
    ...(f.terminator?.tls.certificates.map((c) => haproxyAddress('cert', c.cert)) ?? []),
    ...(f.terminator?.tls.clientValidation
      ? [haproxyAddress('cert', f.terminator.tls.clientValidation.cert)]
      : []),
  ];
}

/** A pool's plan, or why it cannot be programmed: last render's while the pool is the same object. */
function poolPlan(
  lb: ir.LoadBalancer,
  id: string,
  pool: ir.BackendPool,
  zone: string | undefined,
  kept: KeptLoadBalancer | undefined,
): KeptPool['result'] {
  const last = kept?.pools.get(pool.id);
  // The backend client certificate matters only to a pool with backend TLS.
  const clientCertificate = pool.tls ? lb.backendClientCertificate : undefined;
  if (last && last.zone === zone && last.clientCertificate === clientCertificate) {
    if (last.pool === pool) return last.result;
    // Translated again (another object of its key changed) but the same: the same plan and backends.
    last.content ??= JSON.stringify(last.pool);
    const content = JSON.stringify(pool);
    if (content === last.content) {
      kept?.pools.set(pool.id, { ...last, pool, content });
      return last.result;
    }
  }
  let result: KeptPool['result'];
  try {
    const tls = planBackendTls(lb.key, id, pool, lb.backendClientCertificate);
    result = { plan: { ...planPool(pool, zone), ...(tls ? { tls } : {}) } };
  } catch (err) {
    if (!(err instanceof FieldError)) throw err;
    result = { error: err };
  }
  kept?.pools.set(pool.id, { pool, zone, clientCertificate, result });
  return result;
}

/** The backend model: last render's object while it is made from the same plan and settings. */
function keptBackend(
  lbKey: string,
  id: string,
  name: string,
  plan: PoolPlan,
  mode: 'http' | 'tcp',
  retry: BackendRetry | undefined,
  slotMinimum: number | undefined,
  kept: KeptLoadBalancer | undefined,
): BackendModel {
  const retryKey = retry ? `${retry.retries} ${retry.on.join(' ')}` : '';
  const last = kept?.backends.get(name);
  if (
    last &&
    last.plan === plan &&
    last.mode === mode &&
    last.retry === retryKey &&
    last.slotMinimum === slotMinimum
  )
    return last.model;
  const model = backendModel(lbKey, id, plan, mode, retry, slotMinimum);
  kept?.backends.set(name, { plan, mode, retry: retryKey, slotMinimum, model });
  return model;
}

/**
 * A terminating listener's certificates and TLS settings, or the FieldError refusing them. Parsing
 * certificates is costly: last render's are kept while the listener's TLS content is the same.
 */
function listenerTls(
  lbKey: string,
  id: string,
  listener: ir.Listener,
  kept: KeptLoadBalancer | undefined,
): KeptListenerTls['result'] {
  const content = JSON.stringify([listener.id, listener.protocol, listener.tls]);
  const last = kept?.listenerTls.get(listener.id);
  if (last?.content === content) return last.result;
  let result: KeptListenerTls['result'];
  try {
    const r = renderCertificates(lbKey, id, listener);
    const v = renderClientValidation(lbKey, id, listener, r.tls);
    result = { tls: v.tls, certs: [...r.certs, ...v.certs] };
  } catch (err) {
    if (!(err instanceof FieldError)) throw err;
    result = { error: err };
  }
  kept?.listenerTls.set(listener.id, { content, result });
  return result;
}

/** A TCP/TLS frontend and its maps: last render's objects when they are the same (they are small). */
function keptTcpFrontend(
  r: { frontend: FrontendModel; maps: MapModel[] },
  kept: KeptLoadBalancer | undefined,
): { frontend: FrontendModel; maps: MapModel[] } {
  if (!kept) return r;
  const content = JSON.stringify(r);
  const last = kept.tcpFrontends.get(r.frontend.name);
  if (last?.content === content) return last.rendered;
  kept.tcpFrontends.set(r.frontend.name, { content, rendered: r });
  return r;
}

/** Sorted by `compare`: in last render's order when the names are the same (no sort needed). */
function sortedLike<T extends { name: string }>(
  items: T[],
  last: readonly T[] | undefined,
  compare: (a: T, b: T) => number,
): T[] {
  if (last !== undefined && last.length === items.length) {
    const byName = new Map(items.map((i) => [i.name, i]));
    const inLastOrder = last.map((l) => byName.get(l.name));
    if (byName.size === items.length && inLastOrder.every((i) => i !== undefined)) return inLastOrder as T[];
  }
  return items.sort(compare);
}

/** The backend client certificate is one file for every pool that presents it. */
function uniqueByName(certs: CertModel[]): CertModel[] {
  return [...new Map(certs.map((c) => [c.name, c])).values()];
}
