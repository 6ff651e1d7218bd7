// URL → API method. Every Compute path is `/compute/v1/projects/{p}/{scope}/{collection}[/{name}[/{verb}]]`
// with scope `global`, `regions/{r}` or `zones/{z}`; `setUrlMap` and `setSslCertificates` of the global
// target proxies are the exception (no `global/`, research/gcp.md §4). The method id follows GCP's
// discovery names (`urlMaps.insert`, `regionUrlMaps.get`, `globalForwardingRules.list`,
// `networkEndpointGroups.attachNetworkEndpoints`, `zoneOperations.wait`, ...): counters and fault
// patterns use it.

export type Scope = { kind: 'global' } | { kind: 'region'; name: string } | { kind: 'zone'; name: string };

export interface Route {
  project: string;
  scope: Scope;
  collection: string;
  name?: string;
  /** A custom verb after the name (`setUrlMap`, `wait`, `attachNetworkEndpoints`, ...). */
  verb?: string;
  /** The standard verb: get, list, aggregatedList, insert, update, patch, delete; or the custom verb. */
  action: string;
  method: string;
}

export const COLLECTIONS = [
  'urlMaps',
  'backendServices',
  'backendBuckets',
  'healthChecks',
  'forwardingRules',
  'targetHttpProxies',
  'targetHttpsProxies',
  'sslCertificates',
  'networkEndpointGroups',
  'addresses',
  'operations',
] as const;
export type Collection = (typeof COLLECTIONS)[number];

/** Collections with `aggregatedList` (`GET …/projects/{p}/aggregated/{collection}`): every scope at once. */
export const AGGREGATED: readonly Collection[] = [
  'urlMaps',
  'backendServices',
  'healthChecks',
  'forwardingRules',
  'targetHttpProxies',
  'targetHttpsProxies',
  'sslCertificates',
  'networkEndpointGroups',
  'addresses',
];

/** Which scopes hold each collection. */
export const SCOPES_OF: Record<Collection, readonly Scope['kind'][]> = {
  urlMaps: ['global', 'region'],
  backendServices: ['global', 'region'],
  backendBuckets: ['global'],
  healthChecks: ['global', 'region'],
  forwardingRules: ['global', 'region'],
  targetHttpProxies: ['global', 'region'],
  targetHttpsProxies: ['global', 'region'],
  sslCertificates: ['global', 'region'],
  networkEndpointGroups: ['zone'],
  addresses: ['global', 'region'],
  operations: ['global', 'region', 'zone'],
};

const cap = (s: string) => s[0]!.toUpperCase() + s.slice(1);

/** GCP's service name for a collection in a scope (`regionUrlMaps`, `globalAddresses`, `zoneOperations`). */
export function serviceName(collection: string, scope: Scope['kind']): string {
  if (collection === 'operations') return `${scope}Operations`;
  if (collection === 'forwardingRules' || collection === 'addresses')
    return scope === 'global' ? `global${cap(collection)}` : collection;
  return scope === 'region' ? `region${cap(collection)}` : collection;
}

export const scopePath = (s: Scope): string =>
  s.kind === 'global' ? 'global' : s.kind === 'region' ? `regions/${s.name}` : `zones/${s.name}`;

const STANDARD: Record<string, string> = { GET: 'get', PUT: 'update', PATCH: 'patch', DELETE: 'delete' };

export function parseRoute(httpMethod: string, url: string): Route | undefined {
  const path = url.split('?')[0] ?? '';
  const m = /^\/compute\/v1\/projects\/([^/]+)\/(.+)$/.exec(path);
  if (!m) return undefined;
  const project = decodeURIComponent(m[1]!);
  let parts = m[2]!.split('/').map(decodeURIComponent);
  if (parts[0] === 'aggregated' && parts.length === 2 && httpMethod === 'GET') {
    const collection = parts[1] as Collection;
    if (!AGGREGATED.includes(collection)) return undefined;
    // The scope is every scope; `global` stands in for it. The method id is GCP's (`forwardingRules.aggregatedList`).
    return {
      project,
      scope: { kind: 'global' },
      collection,
      action: 'aggregatedList',
      method: `${collection}.aggregatedList`,
    };
  }
  let scope: Scope;
  if (parts[0] === 'global') {
    scope = { kind: 'global' };
    parts = parts.slice(1);
  } else if ((parts[0] === 'regions' || parts[0] === 'zones') && parts.length >= 2) {
    scope = { kind: parts[0] === 'regions' ? 'region' : 'zone', name: parts[1]! };
    parts = parts.slice(2);
  } else if (
    (parts[0] === 'targetHttpProxies' || parts[0] === 'targetHttpsProxies') &&
    parts.length === 3 &&
    httpMethod === 'POST'
  ) {
    scope = { kind: 'global' };
  } else return undefined;
  const [collection, name, verb, ...rest] = parts;
  if (!collection || rest.length > 0 || !(COLLECTIONS as readonly string[]).includes(collection))
    return undefined;
  if (!SCOPES_OF[collection as Collection].includes(scope.kind)) return undefined;
  let action: string | undefined;
  if (verb !== undefined) action = httpMethod === 'POST' ? verb : undefined;
  else if (name === undefined)
    action = httpMethod === 'GET' ? 'list' : httpMethod === 'POST' ? 'insert' : undefined;
  else action = STANDARD[httpMethod];
  if (!action) return undefined;
  return {
    project,
    scope,
    collection,
    ...(name !== undefined ? { name } : {}),
    ...(verb !== undefined ? { verb } : {}),
    action,
    method: `${serviceName(collection, scope.kind)}.${action}`,
  };
}
