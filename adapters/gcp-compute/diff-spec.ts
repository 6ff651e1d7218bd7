// How Compute resources are compared. Names hash what GCP cannot change in place (naming.ts), so a
// replacement normally shows up as a new address; replaceOn still guards the same address. Observed
// values carry self links: references are compared in their relative form, and output-only fields
// (id, selfLink, fingerprint, creationTimestamp, kind) are never compared.

import { compareFields } from '#core/plan/compare-fields.js';
import type { DiffSpec, Resource } from '#core/plan/types.js';
import {
  type GcpKind,
  type GcpKinds,
  gcpAddress,
  parseLocationPath,
  parseResourcePath,
  relativePath,
} from './model.js';

const REPLACE_ON: Readonly<Record<GcpKind, readonly string[]>> = {
  'forwarding-rule': [
    'name',
    'region',
    'loadBalancingScheme',
    'IPProtocol',
    'portRange',
    'ports',
    'backendService',
    'IPAddress',
    'ipVersion',
    'network',
    'subnetwork',
  ],
  'target-http-proxy': ['name', 'region'],
  'target-https-proxy': ['name', 'region'],
  'url-map': ['name', 'region'],
  'backend-service': ['name', 'region', 'loadBalancingScheme', 'protocol'],
  'health-check': ['name', 'region', 'type'],
  'network-endpoint-group': ['name', 'zone', 'networkEndpointType', 'network', 'subnetwork'],
  'neg-endpoints': ['networkEndpointGroup', 'zone'],
  // A certificate cannot be changed: its name hashes its content.
  'ssl-certificate': ['name', 'region', 'certificate'],
  'backend-bucket': ['name'],
  // Certificate Manager and Network Security resources change in place (patch) but for their name.
  'trust-config': ['name', 'location'],
  'server-tls-policy': ['name', 'location'],
  'backend-authentication-config': ['name', 'location'],
  'service-lb-policy': ['name', 'location'],
};

const OUTPUT_ONLY = [
  'id',
  'selfLink',
  'fingerprint',
  'labelFingerprint',
  'creationTimestamp',
  'kind',
  'etag',
  'createTime',
  'updateTime',
];

/** Not Compute fields, or never returned by the API. */
const IGNORE: Readonly<Partial<Record<GcpKind, readonly string[]>>> = {
  'backend-service': ['pool'],
  'ssl-certificate': ['privateKey', 'secret'],
};

/** A JSON value with every reference in relative form and route rules stripped of `routes`. */
function normalize(value: unknown, key = ''): unknown {
  if (typeof value === 'string')
    return /^(?:https:\/\/|projects\/|global\/|regions\/|zones\/)/.test(value) &&
      key !== 'certificateMap' &&
      !value.includes('/locations/')
      ? relativePath(value)
      : value;
  if (Array.isArray(value)) {
    const items = value.map((v) => normalize(v, key));
    // Sets: the order of endpoints, backends, host rules and removed headers means nothing.
    return [
      'endpoints',
      'backends',
      'hostRules',
      'requestHeadersToRemove',
      'responseHeadersToRemove',
    ].includes(key)
      ? items.sort((a, b) => (JSON.stringify(a) < JSON.stringify(b) ? -1 : 1))
      : items;
  }
  if (value && typeof value === 'object')
    return Object.fromEntries(
      Object.entries(value)
        .filter(([k]) => !OUTPUT_ONLY.includes(k) && k !== 'routes')
        // A GCE_VM_IP endpoint is its instance: the API fills in the VM's IP, render cannot know it.
        .filter(([k]) => !(k === 'ipAddress' && key === 'endpoints' && isVmEndpoint(value)))
        .map(([k, v]) => [k, normalize(v, k)]),
    );
  return value;
}

function isVmEndpoint(value: object): boolean {
  return 'instance' in value && !('port' in value);
}

export const gcpDiffSpec: DiffSpec<GcpKinds> = {
  compare: (pair) =>
    compareFields(normalize(pair.desired), normalize(pair.observed), {
      replaceOn: REPLACE_ON[pair.kind],
      ignore: [
        ...(IGNORE[pair.kind] ?? []),
        // An ephemeral IP is whatever GCP allocated: only a requested one is compared.
        ...(pair.kind === 'forwarding-rule' && pair.desired.IPAddress === undefined ? ['IPAddress'] : []),
      ],
    }),
  // A replacement keeps its name (the name is the address) and names are unique per scope, so the old
  // one has to go first, whatever it is (for a forwarding rule, its IP:port pair too).
  replaceOrder: Object.fromEntries(Object.keys(REPLACE_ON).map((k) => [k, 'delete-first'])) as Record<
    GcpKind,
    'delete-first'
  >,
  dependsOn: (r) => gcpReferences(r),
};

/** Addresses a resource refers to: created before it, deleted after it. */
export function gcpReferences(resource: Resource<GcpKinds>): string[] {
  if (resource.kind === 'neg-endpoints')
    return [gcpAddress('network-endpoint-group', resource.value.networkEndpointGroup, resource.value.zone)];
  const out = new Set<string>();
  const walk = (v: unknown) => {
    if (typeof v === 'string') {
      const located = parseLocationPath(v);
      if (located) out.add(gcpAddress(located.kind, located.name));
      const ref = parseResourcePath(v);
      if (ref)
        out.add(
          ref.zone !== undefined ? gcpAddress(ref.kind, ref.name, ref.zone) : gcpAddress(ref.kind, ref.name),
        );
    } else if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === 'object') Object.values(v).forEach(walk);
  };
  walk(resource.value);
  return [...out].sort();
}
