// The part of @google-cloud/compute's protos.json (12 MB: every Compute service, v1 and v1beta) the
// adapter's clients need: the v1 services it calls and the messages and enums they reach, with the
// library's own client configs. Loading the whole file took seconds at cold start (a 12 MB literal,
// then a protobuf root of 4,600 types built per client); compute-protos-data.ts, written from
// the installed library by `npm run gcp-compute:protos` and checked against it by a test, holds ~360.

/** The v1 services the adapter calls, by their proto names (clients.ts maps its client names to them). */
export const COMPUTE_SERVICES = [
  'BackendBuckets',
  'BackendServices',
  'ForwardingRules',
  'GlobalForwardingRules',
  'GlobalOperations',
  'HealthChecks',
  'NetworkEndpointGroups',
  'RegionBackendServices',
  'RegionHealthChecks',
  'RegionOperations',
  'RegionSslCertificates',
  'RegionTargetHttpProxies',
  'RegionTargetHttpsProxies',
  'RegionUrlMaps',
  'SslCertificates',
  'TargetHttpProxies',
  'TargetHttpsProxies',
  'UrlMaps',
  'ZoneOperations',
] as const;

export type ComputeService = (typeof COMPUTE_SERVICES)[number];

/** The package all services and messages are in. */
export const COMPUTE_PACKAGE = 'google.cloud.compute.v1';

/** protobuf.js JSON (the INamespace shape), as far as pruning reads it. */
export interface ProtoNamespace {
  options?: Record<string, unknown>;
  nested?: Record<string, ProtoNamespace & ProtoType>;
}
export interface ProtoType {
  fields?: Record<string, { type: string }>;
  methods?: Record<string, { requestType: string; responseType: string }>;
}

/** What compute-protos-data.ts holds. */
export interface ComputeProtos {
  /** The library's version it was written from. */
  version: string;
  /** A protobuf.js root with only `google.cloud.compute.v1`'s services above and what they reach. */
  protos: ProtoNamespace;
  /** Each service's client config (`<service>_client_config.json` of the library). */
  configs: Record<string, unknown>;
}

/** The types and services of `google.cloud.compute.v1` in a root. */
export const packageOf = (root: ProtoNamespace): Record<string, ProtoNamespace & ProtoType> => {
  let ns: ProtoNamespace | undefined = root;
  for (const part of COMPUTE_PACKAGE.split('.')) ns = ns?.nested?.[part];
  if (!ns?.nested) throw new Error(`the protos have no ${COMPUTE_PACKAGE} package`);
  return ns.nested;
};

/**
 * A root holding `services` of `full` and every message and enum of the package they reach (field
 * types, request and response types; a message keeps its nested types). Types outside the package
 * (none are reached today) make it throw: the library changed, and pruning must learn them.
 */
export function pruneComputeProtos(full: ProtoNamespace, services: readonly string[]): ProtoNamespace {
  const all = packageOf(full);
  const kept = new Map<string, ProtoNamespace & ProtoType>();
  let wellKnown = false;
  const reach = (name: string, from: string) => {
    if (kept.has(name)) return;
    const type = all[name];
    if (!type) throw new Error(`${from} refers to ${name}, which is not a ${COMPUTE_PACKAGE} type`);
    kept.set(name, type);
    // a field names a type of the package, maybe nested (`Operation.Status`), or one nested in its own
    for (const field of fieldsOf(type)) {
      const top = field.type.split('.')[0]!;
      if (field.type.startsWith(WELL_KNOWN)) wellKnown = true;
      else if (!SCALARS.has(field.type) && !type.nested?.[top]) reach(top, name);
    }
  };
  for (const service of services) {
    const s = all[service];
    if (!s?.methods) throw new Error(`${COMPUTE_PACKAGE} has no service ${service}`);
    kept.set(service, s);
    for (const m of Object.values(s.methods)) {
      reach(m.requestType, service);
      reach(m.responseType, service);
    }
  }
  const v1Options = full.nested?.google?.nested?.cloud?.nested?.compute?.nested?.v1?.options;
  const nested = Object.fromEntries([...kept].sort(([a], [b]) => a.localeCompare(b)));
  const protobuf = full.nested?.google?.nested?.protobuf;
  if (wellKnown && !protobuf) throw new Error('the protos have no google.protobuf package');
  return {
    nested: {
      google: {
        nested: {
          ...(wellKnown ? { protobuf } : {}),
          cloud: {
            nested: { compute: { nested: { v1: { ...(v1Options ? { options: v1Options } : {}), nested } } } },
          },
        },
      },
    },
  };
}

/** Protobuf's well-known types (`google.protobuf.Any`): kept as a whole package (a few KB). */
const WELL_KNOWN = 'google.protobuf.';

const fieldsOf = (type: ProtoNamespace & ProtoType): { type: string }[] => [
  ...Object.values(type.fields ?? {}),
  ...Object.values(type.nested ?? {}).flatMap(fieldsOf),
];

const SCALARS = new Set([
  'double',
  'float',
  'int32',
  'int64',
  'uint32',
  'uint64',
  'sint32',
  'sint64',
  'fixed32',
  'fixed64',
  'sfixed32',
  'sfixed64',
  'bool',
  'string',
  'bytes',
]);

/** `UrlMaps` → `url_maps` (the library's file names). */
export const snakeCase = (service: string) => service.replace(/(?<!^)([A-Z])/g, '_$1').toLowerCase();
