// The shape of `NAME.expect.json` (see /work/shared/conformance/README.md). Only what the runner reads is
// typed strictly; every entry keeps its other fields (`detail`, ...) so reports can quote them.

export interface ObjectRef {
  namespace: string;
  name: string;
}

export interface GatewayTarget extends ObjectRef {
  port: number;
  scheme: 'http' | 'https' | string;
}

export interface ExpectedCondition {
  type: string;
  status: 'True' | 'False' | 'Unknown' | string;
  /** null = any reason. */
  reason: string | null;
}

export interface CaseRequest {
  method?: string;
  /** null = no Host override (the Host header is the gateway address). */
  host: string | null;
  /** May carry a query string; sent as-is. */
  path: string;
  headers?: Record<string, string>;
  /** false = do not follow redirects. Absent/true = follow them, like Go's client. */
  followRedirects?: boolean;
  backendSetsResponseHeaders?: Record<string, string>;
  tls?: { sni?: string | null; trustedServerCertificate?: unknown };
  /** Mirror tests: `true` or the parameter name; appends `?<name>=<uuid>` to the path. */
  appendQueryParam?: boolean | string | { name?: string };
  [key: string]: unknown;
}

export interface ExpectedBackendRequest {
  source?: 'defaulted-from-request' | 'explicit' | string;
  method?: string | null;
  host?: string | null;
  path?: string | null;
  headers?: Record<string, string> | null;
  absentHeaders?: string[] | null;
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
  status?: number[];
  /** Service name the answering pod name must start with; null = any backend. */
  backend?: string | null;
  namespace?: string | null;
  backendRequest?: ExpectedBackendRequest | null;
  responseHeaders?: Record<string, string> | null;
  absentResponseHeaders?: string[] | null;
  redirect?: ExpectedRedirect | null;
  mirroredTo?: (ObjectRef | string)[] | null;
  [key: string]: unknown;
}

export interface ScenarioCase {
  name: string;
  subtest: string | null;
  phase: number;
  gateway: GatewayTarget;
  request: CaseRequest;
  expect: CaseExpect;
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
  [key: string]: unknown;
}

export interface DistributionCheck {
  subtest?: string | null;
  phase?: number;
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

export interface ScenarioExpect {
  test: string;
  description?: string;
  features: string[];
  upstream?: { repo?: string; commit?: string; go?: { path?: string }; [key: string]: unknown };
  manifests: string[];
  requiresProgrammaticResources?: unknown[];
  statusChecks?: StatusCheck[];
  actions?: ScenarioAction[];
  cases?: ScenarioCase[];
  distributionCheck?: DistributionCheck | null;
  notes?: unknown[];
  [key: string]: unknown;
}

/** Throws a specific error when the file is not shaped like an expect.json at all. */
export function validateScenarioExpect(value: unknown, file: string): ScenarioExpect {
  const fail = (what: string): never => {
    throw new Error(`${file}: ${what}`);
  };
  if (!value || typeof value !== 'object' || Array.isArray(value)) fail('not a JSON object');
  const v = value as Record<string, unknown>;
  if (typeof v.test !== 'string' || v.test === '') fail('"test" must be a non-empty string');
  if (!Array.isArray(v.features)) fail('"features" must be an array');
  if (!Array.isArray(v.manifests) || v.manifests.some((m) => typeof m !== 'string'))
    fail('"manifests" must be an array of file names');
  for (const [key, list] of [
    ['statusChecks', v.statusChecks],
    ['cases', v.cases],
    ['actions', v.actions],
  ] as const) {
    if (list !== undefined && list !== null && !Array.isArray(list)) fail(`"${key}" must be an array`);
  }
  for (const [i, c] of ((v.cases as unknown[] | undefined) ?? []).entries()) {
    const cc = c as Partial<ScenarioCase>;
    if (typeof cc.name !== 'string') fail(`cases[${i}].name must be a string`);
    if (!cc.gateway || typeof cc.gateway.name !== 'string') fail(`cases[${i}].gateway must name a Gateway`);
    if (!cc.request || typeof cc.request.path !== 'string') fail(`cases[${i}].request.path must be a string`);
    if (!cc.expect || typeof cc.expect !== 'object') fail(`cases[${i}].expect must be an object`);
  }
  for (const [i, s] of ((v.statusChecks as unknown[] | undefined) ?? []).entries()) {
    if (typeof (s as StatusCheck).check !== 'string') fail(`statusChecks[${i}].check must be a string`);
  }
  return v as unknown as ScenarioExpect;
}

/** `file.go:line` of a case, for failure reasons. */
export function upstreamLocation(expect: ScenarioExpect, line?: number): string {
  const go = expect.upstream?.go?.path ?? `${expect.test}.go`;
  return line === undefined ? go : `${go}:${line}`;
}
