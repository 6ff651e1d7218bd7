// The adapter contract (docs/design.md §5), a descendant of Kubernetes' cloud-provider LoadBalancer
// interface split into render (pure) → observe → plan (pure, core/plan) → apply, so that the plan
// is data that can be shown, tested and dry-run. Also the capability declaration and the error
// vocabulary every adapter speaks.

import type * as ir from '#core/ir/load-balancer.js';
import type {
  AnyKinds,
  DesiredResource,
  DiffSpec,
  Kinds,
  KindValue,
  ObservedResource,
  Plan,
} from '#core/plan/types.js';
import type { Notice } from '#core/translate/notice.js';

export type { AnyKinds, DesiredResource, DiffSpec, Kinds, KindValue, ObservedResource, Plan };

/**
 * `K` is the adapter's kind map (`{ listener: ListenerValue; ... }`): every resource, change and
 * conflict it handles is typed by its kind.
 */
export interface LoadBalancerAdapter<K extends KindValue> {
  /** `haproxy` | `aws-elbv2` | `gcp-compute` | `fake`: the first segment of every resource address. */
  readonly name: string;
  /** Features and limits, declared up front; render reports whatever the IR uses beyond them. */
  capabilities(): Capabilities;
  /** Pure: provider-native desired resources, plus a notice for every feature left out. */
  render(lb: ir.LoadBalancer): Rendered<K>;
  /**
   * What the provider really runs for this load balancer: everything it owns, plus unowned
   * resources squatting on its addresses. `desired` is what render produced (empty when the load
   * balancer should no longer exist): observe reads those by their deterministic names, so its cost
   * follows one load balancer, not the provider's whole inventory.
   */
  observe(key: ir.LbKey, opts: ObserveOptions<K>): Promise<Observed<K>>;
  /** How resources are compared, replaced and ordered; fed to planChanges. */
  readonly diffSpec: DiffSpec<K>;
  /** The only mutation. Idempotent and safe to re-run after a crash at any step; never touches a conflict. */
  apply(plan: Plan<K>, opts: { signal: AbortSignal }): Promise<LbStatus>;
  /**
   * The load-balancer keys of `cluster` the provider holds resources for, found by ownership
   * (tags, labels, the adapter's own state), sorted: what resync needs to find orphans whose
   * objects were deleted while nobody watched. Reads only. `complete: false` when any page or
   * read failed: the caller must then not conclude that a key is absent.
   */
  listOwnedKeys?(cluster: string, opts: { signal: AbortSignal }): Promise<OwnedKeys>;
  /**
   * Reads only: how the provider's own health checks see each backend target of this load balancer
   * (ELBv2 target health, GCP NEG endpoint health, HAProxy server check state). Pod readiness gates
   * wait on it. `complete: false` when a read failed: a target missing from an incomplete answer is
   * unknown, not gone.
   */
  targetHealth?(lb: ir.LoadBalancer, opts: { signal: AbortSignal }): Promise<TargetHealthReport>;
}

/** The pure half of an adapter: what `portico plan` and the render corpus need. No I/O, no credentials. */
export type PureAdapter<K extends KindValue> = Pick<
  LoadBalancerAdapter<K>,
  'name' | 'capabilities' | 'render' | 'diffSpec'
>;

/** The pure half plus the reads: what a provider runs, never changed (`portico plan`). */
export type AdapterReader<K extends KindValue> = PureAdapter<K> &
  Pick<LoadBalancerAdapter<K>, 'observe' | 'listOwnedKeys'>;

/**
 * One provider, as `adapters/<name>/index.ts` exports it and adapters/registry.ts lists it. Only
 * `name` and `capabilities` are loaded with it: the pure half and the adapter import their modules
 * when asked for (dynamic import), so that a bundle loads only the providers it uses.
 */
export interface AdapterDescriptor<
  K extends KindValue,
  Options,
  Adapter extends LoadBalancerAdapter<K> = LoadBalancerAdapter<K>,
  ReaderOptions = Options,
> {
  /** The provider name: translate's `provider`, the first segment of every resource address. */
  readonly name: string;
  readonly capabilities: Capabilities;
  /** The pure half. */
  pure(): Promise<PureAdapter<K>>;
  /** The full adapter. */
  create(options: Options): Promise<Adapter>;
  /** Read-only access to what the provider runs; absent when the provider has no read-only way in. */
  reader?(options: ReaderOptions): Promise<AdapterReader<K>>;
}

/**
 * An adapter of any provider, kinds erased: what registries and the reconcile handler hold
 * (`Record<string, AnyLoadBalancerAdapter>`). Every LoadBalancerAdapter<K> is one, without a cast.
 */
export type AnyLoadBalancerAdapter = LoadBalancerAdapter<AnyKinds>;

export interface ObserveOptions<K extends KindValue> {
  signal: AbortSignal;
  /** The rendered resources of this load balancer; empty when it should no longer exist. */
  desired: readonly DesiredResource<K>[];
  /**
   * `full`: read everything the provider runs for this load balancer, even where the adapter keeps a
   * record of what it last applied and would otherwise answer from it (HAProxy: docs/haproxy.md,
   * "Observe"). Resync asks for it, so drift the record cannot see is found there. Absent = the
   * adapter's cheapest faithful read. Adapters that always read everything ignore it.
   */
  readBack?: 'full';
}

/** One backend target as the provider's health checks see it. */
export interface TargetHealth {
  /** The IR pool (`ir.BackendPool.id`) the target serves. */
  pool: string;
  address: string;
  port: number;
  /** `initial`: registered, not yet checked enough; `draining`: leaving, still finishing requests. */
  state: 'healthy' | 'unhealthy' | 'initial' | 'draining' | 'unknown';
  /** The provider's reason code or description, for status messages. */
  reason?: string;
}

export interface TargetHealthReport {
  targets: TargetHealth[];
  complete: boolean;
  /**
   * Pools whose pods the provider does not health-check one by one, and why (a GCP passthrough
   * NLB checks the nodes): their pods' readiness gates open unenforced rather than wait forever.
   */
  uncheckedPools?: UncheckedPool[];
}

export interface UncheckedPool {
  pool: string;
  reason: string;
}

export interface OwnedKeys {
  keys: ir.LbKey[];
  complete: boolean;
}

export interface Rendered<K extends KindValue> {
  resources: DesiredResource<K>[];
  notices: AdapterNotice[];
}

export interface Observed<K extends KindValue> {
  resources: ObservedResource<K>[];
  /**
   * Every page was read. When false the caller must not act on absences (no deletes, no
   * garbage collection): a missing page is not a missing resource.
   */
  complete: boolean;
}

export type MatchType = 'Exact' | 'RegularExpression';

/** What an adapter can express. A limit left out means "no limit of its own". */
export interface Capabilities {
  listenerProtocols: readonly ir.ListenerProtocol[];
  /**
   * The provider health-checks endpoints that are not ready yet, so a pod readiness gate can wait on
   * its verdict: every one (HAProxy's drained servers), or at least those awaiting the load balancer
   * (`Endpoint.awaitingLoadBalancer`: ELBv2 target groups, GCP NEGs). Absent: only ready endpoints
   * are registered, and a gate there opens unenforced rather than wait forever.
   */
  checksNotReadyEndpoints?: boolean;
  /** TLS listeners that pass the connection through by SNI, without terminating. */
  tlsPassthrough: boolean;
  /** `secret`: PEMs from the TLS Secret are uploaded; `reference`: an existing certificate is referenced (ACM, GCP). */
  certificateSource: 'secret' | 'reference';
  maxCertificatesPerListener?: number;
  maxListeners?: number;
  maxRoutesPerListener?: number;
  /** `*.example.com` hostnames, by wildcard semantics. */
  wildcardHostnames: readonly ir.Route['wildcard'][];
  pathMatch: readonly ir.PathMatch['type'][];
  /** Empty = header matching unsupported. */
  headerMatch: readonly MatchType[];
  queryParamMatch: readonly MatchType[];
  methodMatch: boolean;
  filters: readonly ir.Filter['type'][];
  urlRewrite: { hostname: boolean; path: readonly ir.PathModifier['type'][] };
  /** Filters on a single backend of a weighted split (HTTPBackendRef.filters). */
  backendFilters: boolean;
  /** RequestMirror filters one route may carry; absent = any number. */
  maxMirrorsPerRoute?: number;
  /** CORS origins with a subdomain wildcard (`https://*.example.com`), beside exact origins and `*`. */
  corsOriginWildcards: boolean;
  redirect: { supported: boolean; path: readonly ir.PathModifier['type'][]; statusCodes: readonly number[] };
  fixedResponse: boolean;
  /** More than one backend with a non-zero weight. */
  weightedBackends: boolean;
  maxBackendsPerRoute?: number;
  timeouts: { request: boolean; backendRequest: boolean };
  poolProtocols: readonly ir.PoolProtocol[];
  sourceRanges: boolean;
  requestedAddressTypes: readonly ir.RequestedAddress['type'][];
  /** Route `retry`: attempts on failed backend requests, by status code, with a backoff. */
  retries: boolean;
  /**
   * TLS from the load balancer to backends (pool `tls`, from BackendTLSPolicy): CA bundles; the
   * system trust store; subjectAltNames checks; the load balancer's client certificate.
   */
  backendTls: {
    supported: boolean;
    systemTrust: boolean;
    subjectAltNames: boolean;
    clientCertificate: boolean;
  };
  /** Client-certificate validation on TLS-terminating listeners (listener `tls.clientValidation`), by mode. */
  frontendClientValidation: readonly ir.ClientValidation['mode'][];
  /** TLS listeners where some hostnames pass through and others terminate (route `tlsMode`). */
  tlsMixedModes: boolean;
  /** 421 for HTTPS requests whose Host belongs to another listener than the connection's SNI (listener `tls.listenerHostnames`). */
  misdirectedRequests: boolean;
  /** Cloud Storage buckets as route backends (backend `bucket`, from Portico's StorageBucket kind). */
  backendBuckets: boolean;
  /**
   * Listener address families (load balancer `ipFamilies`): `dual-stack` = IPv4, IPv6 or both;
   * `ipv4` = IPv4 only (an IPv6-only load balancer is refused, a dual-stack one served on IPv4 with a warning).
   */
  ipFamilies: 'dual-stack' | 'ipv4';
  /** Pools that prefer endpoints close to the load balancer (pool `topology`); without it, a warning. */
  topology: boolean;
}

/**
 * A feature of the IR that the adapter cannot express. The offending route is left out whole (never
 * half-applied) and gets `Accepted=False, reason UnsupportedValue`; a listener gets
 * `UnsupportedProtocol`.
 */
export interface AdapterNotice extends Notice {
  /** `UnsupportedValue`, `UnsupportedProtocol`, `LimitExceeded`. */
  code: 'UnsupportedValue' | 'UnsupportedProtocol' | 'LimitExceeded';
  /** The feature, stable for tests and metrics: `filter/URLRewrite`, `match/headers/RegularExpression`... */
  feature: string;
  /** The IR node the notice is about. Absent listener = the whole load balancer. */
  listener?: string;
  route?: string;
  /** A pool the adapter cannot program: left out, like the routes that use it. */
  pool?: string;
}

export interface LbStatus {
  key: ir.LbKey;
  /** What the provider answers on: LB DNS name, forwarding-rule IP, HAProxy bind address. */
  addresses: { type: 'IPAddress' | 'Hostname'; value: string }[];
  /** Everything in the plan is in place and the provider reports it serving. */
  programmed: boolean;
  listeners?: { id: string; programmed: boolean; message?: string }[];
  message?: string;
  errors?: { address?: string; message: string }[];
}

// Error vocabulary. apply and observe throw these; the reconcile handler maps them to a retry
// (isRetryable), a status condition, or a dead letter.

/** The resource carries no ownership tags of this load balancer (cloud-provider's ImplementedElsewhere). */
export class NotOwnedError extends Error {
  override readonly name: string = 'NotOwnedError';
  constructor(
    readonly address: string,
    message = `${address} is not owned by this load balancer; Portico leaves it untouched`,
  ) {
    super(message);
  }
}

/** Try again later: the provider is not ready, or a transient failure (5xx, timeout). */
export class RetryableError extends Error {
  override readonly name: string = 'RetryableError';
  readonly retryAfterMs: number | undefined;
  constructor(message: string, opts: { retryAfterMs?: number; cause?: unknown } = {}) {
    super(message, opts.cause !== undefined ? { cause: opts.cause } : undefined);
    this.retryAfterMs = opts.retryAfterMs;
  }
}

/** The provider's API rate limit (ELBv2 `Throttling`, GCP `rateLimitExceeded`). */
export class ThrottledError extends RetryableError {
  override readonly name: string = 'ThrottledError';
}

/** A provider quota (rules per listener, target groups per LB...). Retrying will not help until the config shrinks. */
export class QuotaExceededError extends Error {
  override readonly name: string = 'QuotaExceededError';
  constructor(
    message: string,
    readonly quota?: string,
    readonly limit?: number,
  ) {
    super(message);
  }
}

/** The provider rejected the configuration (or the adapter's parameters are invalid). */
export class InvalidConfigError extends Error {
  override readonly name: string = 'InvalidConfigError';
  constructor(
    message: string,
    readonly address?: string,
  ) {
    super(message);
  }
}

/** The provider's state moved under the plan (name taken, resource in use, changed since observed): re-plan. */
export class ConflictError extends Error {
  override readonly name: string = 'ConflictError';
  constructor(
    message: string,
    readonly address?: string,
  ) {
    super(message);
  }
}

/** The signal fired: the invocation is out of time. Whatever was applied stays; the next reconcile resumes. */
export class AbortedError extends Error {
  override readonly name: string = 'AbortedError';
  constructor(message = 'aborted', opts: { cause?: unknown } = {}) {
    super(message, opts.cause !== undefined ? { cause: opts.cause } : undefined);
  }
}

/**
 * Whether a retry may succeed without anything else changing. A ConflictError is retryable too: the
 * next reconcile observes again and plans from the new state.
 */
export function isRetryable(err: unknown): boolean {
  return err instanceof RetryableError || err instanceof ConflictError;
}

/** The signal's state as an AbortedError, for adapters to call between provider calls. */
export function throwIfAborted(signal: AbortSignal): void {
  if (signal.aborted) throw new AbortedError('aborted', { cause: signal.reason });
}
