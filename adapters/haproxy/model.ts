// The HAProxy desired state of one load balancer, as data. render builds it from the IR; materialize
// turns all load balancers' models (plus the slot assignments the apply side keeps) into files. Each
// part is one plan resource, so the planner can tell the change classes apart:
//   backend `endpoints`         → runtime API (`set server`), no reload while slots remain
//   map `entries`               → runtime map transaction, no reload
//   frontend, backend settings, cert, slot count → new config + reload

import type { Kinds } from '#core/plan/types.js';

export const HAPROXY_ADAPTER = 'haproxy';

export type HaproxyKind = 'frontend' | 'backend' | 'map' | 'cert';

/** One IR listener: a bind address and port with its routing rules. */
export interface FrontendModel {
  /** The load balancer id (naming.ts), shared by all parts of one load balancer. */
  lb: string;
  /** IR listener id. */
  listener: string;
  name: string;
  /**
   * `address` is a requested IP literal, or POOL_ADDRESS / POOL_ADDRESS6: the IPv4 / IPv6 address
   * apply gives this load balancer from the operator's pool (render allocates nothing). A
   * dual-stack load balancer binds `address` (IPv4) and `address6` (IPv6) too.
   */
  bind: { address: string; port: number; address6?: string };
  mode: 'http' | 'tcp';
  /** Terminate: a crt-list written next to the config; Passthrough: routed on the ClientHello SNI. */
  tls?: FrontendTls;
  /** Client CIDRs allowed in (already validated); empty = everyone. */
  sourceRanges: string[];
  /** Map names the rules read (for dependency order). */
  maps: string[];
  /** Backend names the rules can select, helper backends excluded (for dependency order). */
  backends: string[];
  /**
   * Routing rules in order, each one complete config line built by the directive functions from
   * escaped parts (escape.ts); user text only ever appears inside quoted words.
   */
  rules: string[];
  defaultBackend: string;
  /**
   * The most header bytes one of its routes adds to one message (header modifiers), when any:
   * materialize sizes HAProxy's buffers for the largest.
   */
  addedHeaderBytes?: number;
  /**
   * A TLS listener mixing passthrough and termination (config/tls-mixed.ts): this frontend routes by
   * the ClientHello SNI and hands the terminated names to an internal frontend.
   */
  terminator?: TlsTerminator;
  /** Observed only: see ConfigDrift. */
  configDrift?: ConfigDrift;
}

/** The internal frontend that terminates TLS for a mixed listener, and the backend that reaches it. */
export interface TlsTerminator {
  /** Name of both the internal frontend and the backend. */
  name: string;
  tls: Extract<FrontendTls, { mode: 'Terminate' }>;
  /** Its routing rules (by `ssl_fc_sni`), like FrontendModel.rules; maps and backends are the outer frontend's. */
  rules: string[];
}

/**
 * Observed only: the lines of the live section that the rest of the observed value does not
 * account for (`+ line` found on disk, `- line` missing from it). A desired value never has any,
 * so a hand edit Portico cannot read back as a field still shows up as a difference.
 */
export type ConfigDrift = string[];

/** The bind address of a frontend that asked for none: the one its load balancer gets from the pool. */
export const POOL_ADDRESS = 'pool';
/** The same for IPv6 (IPv6-only and dual-stack load balancers): an IPv6 address of the pool. */
export const POOL_ADDRESS6 = 'pool6';

/** The addresses a load balancer holds from the pool, by family. */
export interface HeldAddresses {
  IPv4?: string;
  IPv6?: string;
}

export type FrontendTls =
  | {
      mode: 'Terminate';
      crtList: string;
      certificates: { cert: string; sni: string[] }[];
      /** Client certificates asked for and checked (config/client-validation.ts). */
      clientValidation?: ClientValidationTls;
    }
  | { mode: 'Passthrough' };

export interface ClientValidationTls {
  /** The CA bundle file (certPath of `cert`). */
  caFile: string;
  /** The cert resource holding the bundle. */
  cert: string;
  /** `required`: AllowValidOnly; `optional` with every error ignored: AllowInsecureFallback. */
  verify: 'required' | 'optional';
}

/** One IR pool as spoken by one frontend mode. */
export interface BackendModel {
  lb: string;
  name: string;
  /** IR pool id. */
  pool: string;
  mode: 'http' | 'tcp';
  /** Options on every server line (TLS to the endpoints, h2, health-check settings): safe tokens. */
  serverOptions: string[];
  healthCheck: BackendHealthCheck;
  /** HTTP routes' retry policy (config/retry.ts); absent = the defaults' connection retries. */
  retry?: BackendRetry;
  /** Server slots rendered; free ones are `disabled` placeholders the runtime API fills. */
  slots: number;
  /**
   * Backup server slots (`b1`...), for the endpoints of other zones when the pool prefers close
   * ones (config/backends.ts): they get traffic only while no primary server is up. Absent = none.
   */
  backupSlots?: number;
  /** Desired endpoints, sorted by address then port. */
  endpoints: DesiredEndpoint[];
  /** Observed only: see ConfigDrift. */
  configDrift?: ConfigDrift;
}

export interface BackendRetry {
  retries: number;
  /** `retry-on` keywords and statuses. */
  on: string[];
}

export interface BackendHealthCheck {
  type: 'tcp' | 'http';
  /** For `http`: the request path (validated) and the accepted statuses (`200-399`). */
  path?: string;
  expectStatus?: string;
  intervalSeconds: number;
  timeoutSeconds: number;
  rise: number;
  fall: number;
  /** Absent = the traffic port. */
  port?: number;
  ssl: boolean;
}

/**
 * From the IR endpoint conditions: ready → `ready`; serving and terminating → `drain` (keeps its open
 * connections, gets no new ones); anything else is not listed. `maint` is what free slots are in.
 */
export type EndpointState = 'ready' | 'drain' | 'maint';

export interface DesiredEndpoint {
  address: string;
  port: number;
  weight: number;
  state: Exclude<EndpointState, 'maint'>;
  /** In a backup slot: another zone's endpoint of a pool that prefers close ones. */
  backup?: true;
}

export interface MapModel {
  lb: string;
  name: string;
  /** The HAProxy converter that reads it: exact tree, longest-prefix tree, or ordered regex list. */
  match: 'str' | 'beg' | 'reg';
  /** In file order (it matters for `reg`: the first match wins). Keys are validated (escape.mapKey). */
  entries: { key: string; value: string }[];
}

export interface CertModel {
  lb: string;
  name: string;
  /** `namespace/name` of the Secret, for messages. */
  secret: string;
  /** Certificate chain then private key, PEM. */
  pem: string;
}

/** Each HAProxy resource kind and the type of its value. */
export type HaproxyValues = {
  frontend: FrontendModel;
  backend: BackendModel;
  map: MapModel;
  cert: CertModel;
};

export type HaproxyValue = HaproxyValues[HaproxyKind];

/** The kind/value pairs the adapter's resources, changes and conflicts are typed by. */
export type HaproxyKinds = Kinds<HaproxyValues>;

export interface LbModel {
  /** The load balancer id (naming.ts lbId). */
  id: string;
  frontends: FrontendModel[];
  backends: BackendModel[];
  maps: MapModel[];
  certs: CertModel[];
}

/** The model with every frontend bound to the addresses its load balancer holds (a string: its IPv4 one). */
export function boundTo(model: LbModel, addresses: HeldAddresses | string): LbModel {
  const held = typeof addresses === 'string' ? { IPv4: addresses } : addresses;
  const resolve = (address: string) => {
    const family = address === POOL_ADDRESS ? 'IPv4' : address === POOL_ADDRESS6 ? 'IPv6' : undefined;
    if (family === undefined) return address;
    const got = held[family];
    if (got === undefined) throw new Error(`haproxy: load balancer ${model.id} holds no ${family} address`);
    return got;
  };
  return {
    ...model,
    frontends: model.frontends.map((f) => ({
      ...f,
      bind: {
        ...f.bind,
        address: resolve(f.bind.address),
        ...(f.bind.address6 !== undefined ? { address6: resolve(f.bind.address6) } : {}),
      },
    })),
  };
}

/** Where materialize writes each part, relative to the config directory. */
export const mapPath = (name: string) => `maps/${name}.map`;
export const certPath = (name: string) => `certs/${name}.pem`;
export const crtListPath = (frontend: string) => `certs/${frontend}.crtlist`;

/** Server slots a backend has at least, by default. */
export const DEFAULT_SLOT_MINIMUM = 8;

/**
 * Server slots for `n` endpoints: at least 25% free, rounded up to a multiple of 8 (of `minimum` when
 * that is smaller), at least `minimum`, so a rolling update (surge) fits without a reload. Every slot
 * costs HAProxy one file descriptor of its budget (its health check), free or not: a lower minimum
 * lets more backends fit under the process's RLIMIT_NOFILE (docs/haproxy.md, "Scale").
 */
export function slotCountFor(n: number, minimum = DEFAULT_SLOT_MINIMUM): number {
  const step = Math.min(8, minimum);
  return Math.max(minimum, Math.ceil(Math.ceil(n * 1.25) / step) * step);
}

/** Throws RangeError unless `n` can be a slot minimum (1..1024). */
export function checkSlotMinimum(n: number): number {
  if (!Number.isInteger(n) || n < 1 || n > 1024)
    throw new RangeError(`slotMinimum must be an integer from 1 to 1024, got ${n}`);
  return n;
}
