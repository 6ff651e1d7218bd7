// The shape of `NAME.expect.json` (format: docs/conformance.md). Only what the runner reads is typed
// strictly; every entry keeps its other fields (`detail`, `notes`, ...) so reports can quote them.
// validateScenarioExpect refuses, with a specific message, anything the runner would not know how to run:
// a case of an unknown type, a status check or action kind it does not implement.

export interface ObjectRef {
  namespace: string;
  name: string;
}

/** Where a case is sent: a Gateway (`case.gateway`) or an Ingress (`case.ingress`). */
export interface GatewayTarget extends ObjectRef {
  port: number;
  /** `http` / `https`; absent on TCP cases. */
  scheme?: 'http' | 'https' | string;
  /** Informational: the listener whose port upstream pairs with the address. */
  addressFromListener?: string;
}

export interface ExpectedCondition {
  type: string;
  status: 'True' | 'False' | 'Unknown' | string;
  /** null = any reason. */
  reason: string | null;
}

export interface AppendQueryParam {
  name?: string;
  regenerateEachAttempt?: boolean;
}

export interface CaseTls {
  /** SNI; may differ from the Host header. */
  sni?: string | null;
  /** `"Secret ns/name (tls.crt)"`, `"ConfigMap ns/name (ca.crt)"`, `{kind?, namespace, name}` or a PEM. */
  trustedServerCertificate?: unknown;
  /** TCP cases: the ConfigMap (`ca.crt`) that is the only trust root. */
  trustedCA?: unknown;
  /** A Secret whose tls.crt / tls.key the client presents when asked. */
  clientCertificate?: unknown;
  /** Ingress cases: skip chain verification (the certificate is judged by expect.tlsCertificateHostname). */
  insecureSkipVerify?: boolean;
}

export interface CaseRequest {
  method?: string;
  /** null = no Host override (the Host header is the gateway address). */
  host?: string | null;
  /** May carry a query string; sent as-is. Absent on TCP cases. */
  path?: string;
  headers?: Record<string, string>;
  /** false = do not follow redirects. Absent/true = follow them, like Go's client. */
  followRedirects?: boolean;
  backendSetsResponseHeaders?: Record<string, string>;
  tls?: CaseTls | null;
  /** `true`, a parameter name, or `{name, regenerateEachAttempt}`: append `?<name>=<uuid>`. */
  appendQueryParam?: boolean | string | AppendQueryParam;
  /** `"HTTP/2"`: HTTPS with ALPN `h2` only. */
  protocol?: string;
  /** tcpEcho: `"welcomeAndTestOnly"`; absent = full exchange. */
  exchange?: string;
  /** Ingress: send the request this many times per attempt. */
  count?: number;
  [key: string]: unknown;
}

export interface ExpectedBackendRequest {
  source?: 'defaulted-from-request' | 'explicit' | string;
  method?: string | null;
  host?: string | null;
  path?: string | null;
  proto?: string | null;
  headers?: Record<string, string> | null;
  absentHeaders?: string[] | null;
  /** Ingress: `{Name: value | "*"}`. */
  headersPresent?: Record<string, string> | null;
  tlsServerName?: string | null;
  tlsPeerCertificate?: string | null;
  [key: string]: unknown;
}

export interface ExpectedRedirect {
  scheme?: string | null;
  host?: string | null;
  port?: string | number | null;
  path?: string | null;
  defaulted?: string[];
  locationPattern?: string;
}

export interface CaseExpect {
  status?: number[] | null;
  /** Service name the answering pod name must start with; null = any backend. */
  backend?: string | null;
  namespace?: string | null;
  backendRequest?: ExpectedBackendRequest | null;
  responseHeaders?: Record<string, string> | null;
  absentResponseHeaders?: string[] | null;
  validResponseHeaderValues?: Record<string, string[]> | null;
  ignoreWhitespace?: boolean;
  redirect?: ExpectedRedirect | null;
  mirroredTo?: (ObjectRef | string)[] | null;
  requestFails?: boolean;
  non200Response?: boolean;
  clientCertificateRequested?: boolean;
  backendFromRequestHeader?: string | null;
  /** tcpEcho */
  backendIsTLS?: boolean | null;
  tlsServerName?: string | null;
  /** tlsConnectionRejected */
  connectionRejected?: boolean;
  /** Ingress */
  service?: string | null;
  responseProto?: string | null;
  responseHeadersPresent?: Record<string, string> | null;
  tlsCertificateHostname?: string | null;
  distinctPods?: number | null;
  [key: string]: unknown;
}

export interface RepeatSpec {
  count: number;
  retry?: boolean;
  perRequestTimeoutSeconds?: number;
}

export interface MirrorDistribution {
  totalRequests: number;
  concurrency?: number;
  maxAttempts?: number;
  toleranceStdDevs?: number;
  backends: { namespace?: string; name: string; percent: number; [key: string]: unknown }[];
  [key: string]: unknown;
}

export const CASE_TYPES = ['http', 'tcpEcho', 'tlsConnectionRejected'] as const;
export type CaseType = (typeof CASE_TYPES)[number];

export interface ScenarioCase {
  /** Absent = an HTTP(S) case. */
  type?: 'tcpEcho' | 'tlsConnectionRejected';
  name: string;
  subtest: string | null;
  phase: number;
  gateway?: GatewayTarget;
  ingress?: GatewayTarget;
  request: CaseRequest;
  expect: CaseExpect;
  repeat?: RepeatSpec | null;
  mirrorDistribution?: MirrorDistribution | null;
  upstreamLine?: number;
  [key: string]: unknown;
}

export interface StatusCheck {
  check: string;
  subtest: string | null;
  phase: number;
  detail?: string;
  [key: string]: unknown;
}

export interface ScenarioAction {
  beforePhase: number;
  action?: string;
  [key: string]: unknown;
}

export interface DistributionCheck {
  subtest?: string | null;
  phase?: number;
  /** Absent = HTTP requests; `tcpEcho` = welcomeAndTestOnly exchanges. */
  protocol?: 'tcpEcho' | string;
  gateway: GatewayTarget;
  request: CaseRequest;
  totalRequests?: number;
  concurrency?: number;
  expectedWeights: Record<string, number>;
  tolerance?: number;
  maxAttempts?: number;
  detail?: string;
  upstreamLine?: number;
}

export interface IngressClassSpec {
  name: string;
  controller?: string;
  injectedBySuite?: boolean;
}

export interface ScenarioExpect {
  test: string;
  description?: string;
  features: string[];
  skipIfFeatures?: string[];
  skipUnlessFeatures?: string[];
  provisional?: boolean;
  upstream?: {
    repo?: string;
    commit?: string;
    go?: { path?: string };
    feature?: { path?: string };
    [key: string]: unknown;
  };
  manifests: string[];
  requiresProgrammaticResources?: unknown[];
  /** Ingress scenarios: the IngressClass the implementation must own. */
  ingressClass?: IngressClassSpec | null;
  statusChecks?: StatusCheck[];
  actions?: ScenarioAction[];
  cases?: ScenarioCase[];
  distributionCheck?: DistributionCheck | null;
  notes?: unknown[];
  [key: string]: unknown;
}

/** Every statusChecks[].check kind the runner implements (status-checks.ts). */
export const STATUS_CHECK_KINDS = [
  'GatewayHasAddress',
  'HTTPRouteParentStatus',
  'GatewayAllListenersConditions',
  'HTTPRouteCondition',
  'GatewayStatusListeners',
  'HTTPRouteNoAcceptedParents',
  'GatewayZeroRoutes',
  'NamespacesReady',
  'GatewayLatestConditions',
  'GenerationChanged',
  'GatewayCondition',
  'GatewayListenerConditions',
  'GatewayClassAccepted',
  'GatewayClassLatestConditions',
  'HTTPRouteLatestConditions',
  'GatewayAttachedListenerSets',
  'ListenerSetCondition',
  'ListenerSetListenersConditions',
  'ListenerSetStatusListeners',
  'PolicyAncestorCondition',
  'PolicyLatestConditions',
  'IngressHasAddress',
  'IngressIgnored',
] as const;

/** Every action verb the runner implements (actions.ts); `"patch (JSON merge patch from original)"` is `patch`. */
export const ACTION_VERBS = ['patch', 'create', 'delete', 'apply', 'patchEndpointSlicesFromPods'] as const;

/** The verb of an action: its first word (`"patch (JSON merge patch from original)"` → `patch`). */
export function actionVerb(action: ScenarioAction): string {
  const raw = String(action.action ?? action.op ?? action.type ?? '');
  return raw.trim().split(/[\s(]/, 1)[0] ?? '';
}

/** The type of a case (`http` when absent). */
export function caseType(c: ScenarioCase): CaseType {
  return c.type ?? 'http';
}

/** The Gateway or Ingress a case (or distribution check) addresses. */
export function caseTarget(c: { gateway?: GatewayTarget; ingress?: GatewayTarget }): GatewayTarget {
  const t = c.gateway ?? c.ingress;
  if (!t) throw new Error('the case names neither a gateway nor an ingress');
  return t;
}

/** Throws a specific error when the file is not shaped like an expect.json the runner can run. */
export function validateScenarioExpect(value: unknown, file: string): ScenarioExpect {
  const fail = (what: string): never => {
    throw new Error(`${file}: ${what}`);
  };
  if (!value || typeof value !== 'object' || Array.isArray(value)) fail('not a JSON object');
  const v = value as Record<string, unknown>;
  if (typeof v.test !== 'string' || v.test === '') fail('"test" must be a non-empty string');
  if (!isStringList(v.features)) fail('"features" must be an array of feature names');
  for (const key of ['skipIfFeatures', 'skipUnlessFeatures'] as const) {
    if (v[key] !== undefined && v[key] !== null && !isStringList(v[key]))
      fail(`"${key}" must be an array of feature names`);
  }
  if (!isStringList(v.manifests)) fail('"manifests" must be an array of file names');
  for (const key of ['statusChecks', 'cases', 'actions', 'requiresProgrammaticResources'] as const) {
    if (v[key] !== undefined && v[key] !== null && !Array.isArray(v[key])) fail(`"${key}" must be an array`);
  }
  const ic = v.ingressClass;
  if (ic !== undefined && ic !== null && typeof (ic as IngressClassSpec).name !== 'string')
    fail('"ingressClass.name" must be a string');

  for (const [i, c] of ((v.cases as unknown[] | undefined) ?? []).entries()) {
    const at = `cases[${i}]`;
    const cc = (c ?? {}) as Partial<ScenarioCase>;
    if (typeof cc.name !== 'string') fail(`${at}.name must be a string`);
    const type = cc.type ?? 'http';
    if (!(CASE_TYPES as readonly string[]).includes(type))
      fail(
        `${at}.type ${JSON.stringify(cc.type)} is not one of ${CASE_TYPES.slice(1).join(', ')} (or absent)`,
      );
    const target = cc.gateway ?? cc.ingress;
    if (!target || typeof target.name !== 'string' || typeof target.namespace !== 'string')
      fail(`${at} must name a gateway or an ingress ({namespace, name, port})`);
    if (typeof target?.port !== 'number')
      fail(`${at}.${cc.gateway ? 'gateway' : 'ingress'}.port must be a number`);
    if (!cc.request || typeof cc.request !== 'object') fail(`${at}.request must be an object`);
    if (!cc.expect || typeof cc.expect !== 'object') fail(`${at}.expect must be an object`);
    if (type === 'http' && typeof cc.request?.path !== 'string') fail(`${at}.request.path must be a string`);
    if (type === 'tcpEcho') {
      const ex = cc.request?.exchange;
      if (ex !== undefined && ex !== null && ex !== 'welcomeAndTestOnly')
        fail(`${at}.request.exchange ${JSON.stringify(ex)} is not "welcomeAndTestOnly" (or absent)`);
    }
    if (type === 'tlsConnectionRejected' && typeof cc.request?.tls?.sni !== 'string')
      fail(`${at}.request.tls.sni must be a string`);
    const repeat = cc.repeat;
    if (repeat !== undefined && repeat !== null && !(Number.isInteger(repeat.count) && repeat.count > 0))
      fail(`${at}.repeat.count must be a positive integer`);
    const md = cc.mirrorDistribution;
    if (
      md !== undefined &&
      md !== null &&
      (!Array.isArray(md.backends) || typeof md.totalRequests !== 'number')
    )
      fail(`${at}.mirrorDistribution needs totalRequests and backends[]`);
  }
  for (const [i, s] of ((v.statusChecks as unknown[] | undefined) ?? []).entries()) {
    const kind = (s as StatusCheck | null)?.check;
    if (typeof kind !== 'string') fail(`statusChecks[${i}].check must be a string`);
    if (!(STATUS_CHECK_KINDS as readonly string[]).includes(kind as string))
      fail(
        `statusChecks[${i}].check ${JSON.stringify(kind)} is not a status check kind the runner implements`,
      );
  }
  for (const [i, a] of ((v.actions as unknown[] | undefined) ?? []).entries()) {
    const verb = actionVerb((a ?? {}) as ScenarioAction);
    if (!(ACTION_VERBS as readonly string[]).includes(verb))
      fail(
        `actions[${i}].action ${JSON.stringify((a as ScenarioAction)?.action)} is not an action the runner implements`,
      );
  }
  const dist = v.distributionCheck as DistributionCheck | null | undefined;
  if (dist) {
    if (!dist.gateway || typeof dist.gateway.name !== 'string')
      fail('distributionCheck.gateway must name a Gateway');
    if (!dist.expectedWeights || typeof dist.expectedWeights !== 'object')
      fail('distributionCheck.expectedWeights must be an object');
    if (dist.protocol !== undefined && dist.protocol !== 'tcpEcho')
      fail(`distributionCheck.protocol ${JSON.stringify(dist.protocol)} is not "tcpEcho" (or absent)`);
    if (dist.protocol === undefined && typeof dist.request?.path !== 'string')
      fail('distributionCheck.request.path must be a string');
  }
  return v as unknown as ScenarioExpect;
}

function isStringList(v: unknown): v is string[] {
  return Array.isArray(v) && v.every((x) => typeof x === 'string');
}

/** `file.go:line` (Ingress: `features/x.feature:line`) of an item, for failure reasons. */
export function upstreamLocation(expect: ScenarioExpect, line?: number): string {
  const file = expect.upstream?.go?.path ?? expect.upstream?.feature?.path ?? `${expect.test}.go`;
  return line === undefined ? file : `${file}:${line}`;
}
