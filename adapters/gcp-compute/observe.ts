// observe: what Compute runs for one load balancer, read by the deterministic names render gives every
// resource, plus what the owned ones refer to (a backend service a removed route left behind is still
// in the URL map until apply moves it), plus the forwarding rules carrying this key's label (a removed
// listener's rule has no desired name). Its cost follows the load balancer, not the project. Only a
// load balancer that should no longer exist is searched for across the project: every collection,
// every scope (aggregated lists), by the ownership marker in `description`. Every read that fails
// throws: an observe never reports less than what exists.
//
// listOwnedKeys: the keys one cluster holds resources for, from the same project-wide listing (resync).

import type { LbKey } from '#core/ir/load-balancer.js';
import { gcpLabelValue, LABEL_KEYS } from '#core/naming/index.js';
import type { DesiredResource, ObservedResource } from '#core/plan/types.js';
import { type Observed, type OwnedKeys, RetryableError, ThrottledError } from '../types.js';
import { scopeOf } from './internal/apply-context.js';
import { collect, type GcpCalls, type Json } from './internal/calls.js';
import type { ClientName } from './internal/clients.js';
import { getResource, type Scope } from './internal/collections.js';
import { getLocationResource, listLocationResources } from './internal/location-collections.js';
import { markedKey, ownedBy } from './internal/ownership.js';
import { referencesOf } from './internal/references.js';
import {
  COLLECTIONS,
  type GcpKinds,
  gcpAddress,
  isLocationKind,
  LOCATION_COLLECTIONS,
  type LocationKind,
  parseLocationPath,
  type ReferencedKind,
} from './model.js';
import { backendBucketFromApi } from './resources/backend-buckets.js';
import { backendServiceFromApi } from './resources/backend-services.js';
import { forwardingRuleFromApi } from './resources/forwarding-rules.js';
import { healthCheckFromApi } from './resources/health-checks.js';
import { locationResourceFromApi } from './resources/location-resources.js';
import { listNegEndpoints, negFromApi } from './resources/network-endpoint-groups.js';
import { sslCertificateFromApi } from './resources/ssl-certificates.js';
import { targetProxyFromApi } from './resources/target-proxies.js';
import { urlMapFromApi } from './resources/url-maps.js';

type Observation = ObservedResource<GcpKinds>;
type Desired = DesiredResource<GcpKinds>;
/** What observe reads whole: the Compute kinds and the location collections' kinds. */
type ObservedKind = ReferencedKind | LocationKind;

export interface ObserveOptions {
  key: LbKey;
  /** When set, only resources marked with this cluster count as owned. */
  cluster?: string;
  desired: readonly Desired[];
}

export async function observeGcp(ctx: GcpCalls, opts: ObserveOptions): Promise<Observed<GcpKinds>> {
  const { key, desired } = opts;
  const owned = (api: Json) => ownedBy(api.description, key, opts.cluster);
  if (desired.length === 0) {
    const found = await scanProject(ctx, `observe ${key}`);
    return {
      resources: found.filter(({ api }) => owned(api)).map(({ kind, api }) => observation(kind, api, true)),
      complete: true,
    };
  }

  const seen = new Map<string, Observation>();
  const desiredAt = new Map(desired.map((r) => [r.address, r]));
  const record = (kind: ObservedKind, api: Json) => {
    const o = observation(kind, api, owned(api), desiredAt.get(addressOf(kind, api)));
    seen.set(o.address, o);
  };
  // An address is read once: a resource found absent is not asked for again in each round of step 3.
  const looked = new Set<string>();
  const firstLook = (address: string) => {
    if (seen.has(address) || looked.has(address)) return false;
    looked.add(address);
    return true;
  };
  const read = async (kind: ReferencedKind, name: string, scope: Scope) => {
    const address = scope.zone !== undefined ? gcpAddress(kind, name, scope.zone) : gcpAddress(kind, name);
    if (!firstLook(address)) return;
    const api = await getResource(ctx, kind, name, scope);
    if (api) record(kind, api);
  };
  const readLocation = async (kind: LocationKind, location: string, name: string) => {
    if (!firstLook(gcpAddress(kind, name))) return;
    const api = await getLocationResource(ctx, kind, location, name);
    if (api) record(kind, api);
  };

  // 1. The forwarding rules labelled with this key, in every scope the load balancer uses.
  const regions = [
    ...new Set(desired.flatMap((r) => ('region' in r.value && r.value.region ? [r.value.region] : []))),
  ];
  const filter = `labels.${LABEL_KEYS.lbKey} = "${gcpLabelValue(key)}"`;
  for (const rule of await collect<Json>(ctx, 'globalForwardingRules', 'listAsync', { filter }))
    record('forwarding-rule', rule);
  for (const region of regions)
    for (const rule of await collect<Json>(ctx, 'forwardingRules', 'listAsync', { region, filter }))
      record('forwarding-rule', rule);

  // 2. Every desired resource by its name.
  for (const r of desired)
    if (
      r.kind === 'trust-config' ||
      r.kind === 'server-tls-policy' ||
      r.kind === 'backend-authentication-config' ||
      r.kind === 'service-lb-policy'
    )
      await readLocation(r.kind, r.value.location, r.value.name);
    else if (r.kind !== 'neg-endpoints') await read(r.kind, r.value.name, scopeOf(r.value));

  // 3. What the owned ones refer to; an unowned resource is reported, never looked into.
  for (let grew = true; grew; ) {
    grew = false;
    for (const o of [...seen.values()]) {
      for (const ref of o.owned ? referencesOf(o.value) : []) {
        const before = seen.size;
        await read(ref.kind, ref.name, ref.scope);
        grew ||= seen.size > before;
      }
    }
    // Trust configs, TLS and authentication configs, service LB policies (one a removed topology
    // preference left on a backend service included) of this project that owned ones use.
    for (const o of [...seen.values()])
      for (const ref of o.owned ? locationReferencesOf(o.value, ctx.project) : []) {
        const before = seen.size;
        await readLocation(ref.kind, ref.location, ref.name);
        grew ||= seen.size > before;
      }
  }

  // 4. The endpoints of every owned NEG.
  const resources = [...seen.values()];
  for (const o of [...resources])
    if (o.kind === 'network-endpoint-group' && o.owned) {
      const address = gcpAddress('neg-endpoints', o.value.name, o.value.zone);
      const wanted = desiredAt.get(address);
      const value = await listNegEndpoints(
        { calls: ctx },
        o.value.name,
        o.value.zone,
        wanted?.kind === 'neg-endpoints' ? wanted.value.endpoints : [],
      );
      resources.push({
        address,
        kind: 'neg-endpoints',
        value,
        owned: true,
      });
    }
  return { resources, complete: true };
}

/**
 * The keys of `cluster` that hold at least one resource, sorted: every collection is listed (a
 * delete stopped half-way can leave any kind behind). Only markers of Portico AND this cluster
 * count, and only those that hold the key itself. `complete` is false when any listing failed.
 */
export async function listOwnedKeysGcp(ctx: GcpCalls, cluster: string): Promise<OwnedKeys> {
  const keys = new Set<LbKey>();
  let complete = true;
  for (const scan of SCANS) {
    try {
      for (const { api } of await scan(ctx)) {
        const key = markedKey(api.description, cluster);
        if (key !== undefined) keys.add(key);
      }
    } catch (err) {
      if (ctx.signal.aborted) throw err;
      complete = false;
    }
  }
  return { keys: [...keys].sort(), complete };
}

/** The Certificate Manager and Network Security resources of `project` a value refers to. */
function locationReferencesOf(
  value: unknown,
  project: string,
): { kind: LocationKind; location: string; name: string }[] {
  const out: { kind: LocationKind; location: string; name: string }[] = [];
  const walk = (v: unknown) => {
    if (typeof v === 'string') {
      const ref = parseLocationPath(v);
      if (ref && ref.project === project) out.push(ref);
    } else if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === 'object') Object.values(v).forEach(walk);
  };
  walk(value);
  return out;
}

function addressOf(kind: ObservedKind, api: Json): string {
  if (isLocationKind(kind)) return gcpAddress(kind, parseLocationPath(String(api.name ?? ''))?.name ?? '');
  const name = String(api.name ?? '');
  return kind === 'network-endpoint-group'
    ? gcpAddress(
        kind,
        name,
        String(api.zone ?? '')
          .split('/')
          .pop() ?? '',
      )
    : gcpAddress(kind, name);
}

/** One API resource as the plan sees it: the model's fields only, its self link as id. */
function observation(kind: ObservedKind, api: Json, owned: boolean, desired?: Desired): Observation {
  const base = {
    address: addressOf(kind, api),
    owned,
    ...(typeof api.selfLink === 'string' ? { id: api.selfLink } : {}),
  };
  switch (kind) {
    case 'forwarding-rule':
      return { ...base, kind, value: forwardingRuleFromApi(api) };
    case 'target-http-proxy':
    case 'target-https-proxy':
      return { ...base, kind, value: targetProxyFromApi(api) };
    case 'url-map':
      return { ...base, kind, value: urlMapFromApi(api) };
    case 'backend-service':
      return { ...base, kind, value: backendServiceFromApi(api) };
    case 'health-check':
      return { ...base, kind, value: healthCheckFromApi(api) };
    case 'network-endpoint-group':
      return { ...base, kind, value: negFromApi(api) };
    case 'ssl-certificate':
      return {
        ...base,
        kind,
        value: sslCertificateFromApi(api, desired?.kind === 'ssl-certificate' ? desired.value : undefined),
      };
    case 'backend-bucket':
      return { ...base, kind, value: backendBucketFromApi(api) };
    case 'trust-config':
      return { ...base, kind, value: locationResourceFromApi(kind, api) };
    case 'server-tls-policy':
      return { ...base, kind, value: locationResourceFromApi(kind, api) };
    case 'backend-authentication-config':
      return { ...base, kind, value: locationResourceFromApi(kind, api) };
    case 'service-lb-policy':
      return { ...base, kind, value: locationResourceFromApi(kind, api) };
  }
}

type Scan = (ctx: GcpCalls) => Promise<{ kind: ObservedKind; api: Json }[]>;

/** Every scope of a collection at once (aggregated list), or a global-only collection's list. */
const aggregated =
  (kind: ReferencedKind, client: ClientName): Scan =>
  async (ctx) =>
    (await collect<[string, Json]>(ctx, client, 'aggregatedListAsync', {})).flatMap(([, scoped]) =>
      ((scoped[COLLECTIONS[kind]] as Json[] | undefined) ?? []).map((api) => ({ kind, api })),
    );
const globalList =
  (kind: ReferencedKind, client: ClientName): Scan =>
  async (ctx) =>
    (await collect<Json>(ctx, client, 'listAsync', {})).map((api) => ({ kind, api }));

const SCANS: readonly Scan[] = [
  globalList('forwarding-rule', 'globalForwardingRules'),
  aggregated('forwarding-rule', 'forwardingRules'),
  aggregated('target-http-proxy', 'targetHttpProxies'),
  aggregated('target-https-proxy', 'targetHttpsProxies'),
  aggregated('url-map', 'urlMaps'),
  aggregated('backend-service', 'backendServices'),
  globalList('backend-bucket', 'backendBuckets'),
  aggregated('health-check', 'healthChecks'),
  aggregated('network-endpoint-group', 'networkEndpointGroups'),
  aggregated('ssl-certificate', 'sslCertificates'),
  // Portico makes these in `global` only (render.ts): a regional load balancer gets none.
  ...(Object.keys(LOCATION_COLLECTIONS) as LocationKind[]).map(
    (kind): Scan =>
      async (ctx) =>
        (await listLocationResources(ctx, kind, 'global')).map((api) => ({ kind, api })),
  ),
];

/** Every Portico-marked resource of the project; any failed listing throws (retry). */
async function scanProject(ctx: GcpCalls, what: string): Promise<{ kind: ObservedKind; api: Json }[]> {
  const out: { kind: ObservedKind; api: Json }[] = [];
  for (const scan of SCANS) {
    try {
      out.push(...(await scan(ctx)));
    } catch (err) {
      if (ctx.signal.aborted || !(err instanceof RetryableError)) throw err;
      const message = `${what}: the project could not be read whole, so resources of this load balancer may be missing; retry: ${err.message}`;
      throw err instanceof ThrottledError
        ? new ThrottledError(message, { cause: err })
        : new RetryableError(message, { cause: err });
    }
  }
  return out;
}
