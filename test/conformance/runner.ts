// Runs one upstream conformance scenario against a ConformanceTarget, with upstream's timing rules:
// setup (GatewayClass accepted, base Gateways Accepted+Programmed), then per phase: actions, status checks
// (each polled until it holds or its timeout), HTTP cases (each retried until it passes
// RequiredConsecutiveSuccesses times in a row within MaxTimeToConsistency), the weighted-distribution check.
// Strict: the first deviation of the last attempt is the reason, naming the case and its upstream line.

import { randomInt, randomUUID } from 'node:crypto';
import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { type AttemptContext, compareResponse } from './compare-response.js';
import type { EchoBackends } from './echo-backends.js';
import { CORE_FEATURES, missingFeatures } from './features.js';
import { buildRequest, type CapturedResponse, roundTrip } from './http-client.js';
import { asArray, asRecord } from './kube-object.js';
import { ObjectSet } from './object-set.js';
import { type LoadedScenario, scenarioObjects } from './scenario.js';
import {
  type CaseExpect,
  type CaseRequest,
  type DistributionCheck,
  type GatewayTarget,
  type ScenarioCase,
  type StatusCheck,
  upstreamLocation,
} from './scenario-schema.js';
import {
  type CheckContext,
  gatewaysReady,
  type PlannedCheck,
  planGatewayClassAccepted,
  planStatusCheck,
} from './status-checks.js';
import type { ConformanceTarget } from './target.js';
import { DEFAULT_TIMEOUTS, type TimeoutConfig } from './timeouts.js';

export type Outcome = 'passed' | 'failed' | 'skipped';

export interface ItemResult {
  kind: 'case' | 'distribution' | 'status-check';
  name: string;
  subtest: string | null;
  phase: number;
  /** `conformance/tests/<file>.go[:line]`. */
  upstream: string;
  outcome: Outcome;
  /** Why it failed or was skipped: names the item, its upstream line and what differed. */
  reason?: string;
  attempts?: number;
  durationMs: number;
  /** Not attempted because a failure before it (setup, action, status check, sanity case) stopped it. */
  blocked?: boolean;
}

export interface ScenarioResult {
  test: string;
  file: string;
  /** HTTP cases, then the distribution check (if any). */
  cases: ItemResult[];
  statusChecks: ItemResult[];
  /** Setup or apply failure that stopped the test before its checks. */
  setupFailure?: string;
}

export interface RunnerOptions {
  backends: EchoBackends;
  /** Claimed features; default the Core ones. */
  features?: ReadonlySet<string>;
  timeouts?: Partial<TimeoutConfig>;
  /** Cases of one phase run in parallel (upstream runs a table's cases in parallel). Default 8. */
  caseConcurrency?: number;
  onProgress?: (line: string) => void;
}

/**
 * What the final `N passed, M failed, K skipped` line counts for a test: its cases (HTTP cases and the
 * distribution check); a test without any counts its status checks instead. A failed status check that
 * blocked no case (e.g. in a subtest without cases) is counted too, so no failure goes uncounted.
 */
export function countedResults(r: ScenarioResult): ItemResult[] {
  if (r.cases.length === 0) return r.statusChecks;
  const unaccounted = r.statusChecks.filter(
    (s) =>
      s.outcome === 'failed' &&
      !s.blocked &&
      !r.cases.some((c) => c.blocked && (s.subtest === null || c.subtest === s.subtest)),
  );
  return [...r.cases, ...unaccounted];
}

const ALL = Symbol('all subtests');

export async function runScenario(
  loaded: LoadedScenario,
  target: ConformanceTarget,
  options: RunnerOptions,
): Promise<ScenarioResult> {
  const timeouts: TimeoutConfig = { ...DEFAULT_TIMEOUTS, ...options.timeouts };
  const features = options.features ?? new Set(CORE_FEATURES);
  const ex = loaded.expect;
  const cases = ex.cases ?? [];
  const checks = ex.statusChecks ?? [];
  const actions = ex.actions ?? [];
  const dist = ex.distributionCheck ?? undefined;
  const progress = options.onProgress ?? (() => {});
  const result: ScenarioResult = { test: ex.test, file: loaded.file, cases: [], statusChecks: [] };

  const caseResults = new Map<ScenarioCase, ItemResult>();
  const checkResults = new Map<StatusCheck, ItemResult>();
  let distResult: ItemResult | undefined;
  const distPhase = dist ? distributionPhase(dist, cases) : 0;
  const finish = (): ScenarioResult => {
    result.cases = cases.map((c) => caseResults.get(c) ?? notRun(caseItem(c), 'not run'));
    if (dist) result.cases.push(distResult ?? notRun(distItem(dist, distPhase), 'not run'));
    result.statusChecks = checks.map((s) => checkResults.get(s) ?? notRun(checkItem(s), 'not run'));
    return result;
  };
  const caseItem = (c: ScenarioCase): Omit<ItemResult, 'outcome' | 'durationMs'> => ({
    kind: 'case',
    name: c.name,
    subtest: c.subtest ?? null,
    phase: c.phase ?? 1,
    upstream: upstreamLocation(ex, c.upstreamLine),
  });
  const distItem = (d: DistributionCheck, phase: number): Omit<ItemResult, 'outcome' | 'durationMs'> => ({
    kind: 'distribution',
    name: `weighted distribution${d.subtest ? ` (${d.subtest})` : ''}`,
    subtest: d.subtest ?? null,
    phase,
    upstream: upstreamLocation(ex, d.upstreamLine),
  });
  const checkItem = (s: StatusCheck): Omit<ItemResult, 'outcome' | 'durationMs'> => ({
    kind: 'status-check',
    name: s.check,
    subtest: s.subtest ?? null,
    phase: s.phase ?? 1,
    upstream: upstreamLocation(ex, typeof s.upstreamLine === 'number' ? s.upstreamLine : undefined),
  });
  function notRun(
    item: Omit<ItemResult, 'outcome' | 'durationMs'>,
    why: string,
    outcome: Outcome = 'failed',
  ): ItemResult {
    return {
      ...item,
      outcome,
      reason: `${describe(item)}: ${why}`,
      durationMs: 0,
      blocked: why.startsWith('not run'),
    };
  }

  // Feature gating, as upstream: skip the whole test.
  const missing = missingFeatures(ex.features, features);
  if (missing.length > 0) {
    const why = `skipped: needs unclaimed feature(s) ${missing.join(', ')} (claimed: ${[...features].sort().join(', ')})`;
    for (const c of cases) caseResults.set(c, notRun(caseItem(c), why, 'skipped'));
    if (dist) distResult = notRun(distItem(dist, distPhase), why, 'skipped');
    for (const s of checks) checkResults.set(s, notRun(checkItem(s), why, 'skipped'));
    return finish();
  }

  const set = new ObjectSet(await scenarioObjects(loaded, options.backends));
  const ctx: CheckContext = {
    status: (kind, ns, name) => target.status(kind, ns, name),
    generation: (kind, ns, name) => set.generation(kind, ns, name),
    initialGeneration: (kind, ns, name) => set.initialGeneration(kind, ns, name),
    objects: () => set.list(),
    controllerName: loaded.controllerName,
  };
  const blocked = new Map<string | typeof ALL, string>();
  const blockedWhy = (subtest: string | null): string | undefined =>
    blocked.get(ALL) ?? (subtest !== null ? blocked.get(subtest) : undefined);
  const stopAll = (why: string) => {
    result.setupFailure ??= why;
    blocked.set(ALL, why);
  };

  try {
    await target.apply(set.list());
  } catch (err) {
    stopAll(`target.apply failed: ${message(err)}`);
  }

  // Upstream's suite setup: GatewayClass Accepted, every base Gateway Accepted and Programmed.
  if (!blocked.has(ALL)) {
    const gwc = await poll(planGatewayClassAccepted(loaded.gatewayClassName, ctx, timeouts), timeouts);
    if (gwc.reason)
      stopAll(`setup: GatewayClass ${loaded.gatewayClassName} not Accepted=True: ${gwc.reason}`);
  }
  if (!blocked.has(ALL)) {
    const namespaces = [
      ...new Set(
        set
          .list()
          .filter(
            (o) =>
              o.kind === 'Gateway' &&
              loaded.baseKeys.has(`Gateway/${o.metadata?.namespace ?? ''}/${o.metadata?.name ?? ''}`),
          )
          .map((o) => o.metadata?.namespace ?? ''),
      ),
    ];
    if (namespaces.length > 0) {
      const ready = await poll(
        {
          title: 'NamespacesMustBeReady',
          timeoutMs: timeouts.namespacesMustBeReady,
          evaluate: () => gatewaysReady(ctx, namespaces),
        },
        timeouts,
      );
      if (ready.reason)
        stopAll(`setup: base Gateways not all Accepted=True and Programmed=True: ${ready.reason}`);
    }
  }
  progress(`${ex.test}: ${blocked.has(ALL) ? `setup failed: ${blocked.get(ALL)}` : 'set up'}`);

  const http = {
    httpAgent: new HttpAgent({ keepAlive: true }),
    httpsAgent: new HttpsAgent({ keepAlive: true }),
  };
  try {
    const phases = [
      ...new Set([
        ...cases.map((c) => c.phase ?? 1),
        ...checks.map((s) => s.phase ?? 1),
        ...actions.map((a) => a.beforePhase ?? 1),
        ...(dist ? [distPhase] : []),
      ]),
    ].sort((a, b) => a - b);

    for (const phase of phases) {
      for (const action of actions.filter((a) => (a.beforePhase ?? 1) === phase)) {
        if (blocked.has(ALL)) break;
        try {
          const what = set.applyAction(action, loaded.dir, loaded.gatewayClassName);
          await target.apply(set.list());
          progress(`${ex.test}: phase ${phase}: ${what}`);
        } catch (err) {
          stopAll(`action before phase ${phase} failed: ${message(err)}`);
        }
      }

      for (const check of checks.filter((s) => (s.phase ?? 1) === phase)) {
        const item = checkItem(check);
        const stop = blockedWhy(item.subtest);
        if (stop) {
          checkResults.set(check, notRun(item, `not run: ${stop}`));
          continue;
        }
        const started = Date.now();
        let planned: PlannedCheck;
        try {
          planned = planStatusCheck(check, ctx, timeouts);
        } catch (err) {
          const r = notRun(item, message(err));
          checkResults.set(check, r);
          blocked.set(item.subtest ?? ALL, `status check ${check.check} could not run`);
          continue;
        }
        const polled = await poll(planned, timeouts);
        const r: ItemResult = {
          ...item,
          outcome: polled.reason ? 'failed' : 'passed',
          attempts: polled.attempts,
          durationMs: Date.now() - started,
        };
        if (polled.reason) {
          r.reason = `status check ${planned.title}${item.subtest ? ` [subtest "${item.subtest}"]` : ''} (${item.upstream}): ${polled.reason} (still failing after ${seconds(planned.timeoutMs)})`;
          blocked.set(item.subtest ?? ALL, `status check ${planned.title} failed`);
        }
        checkResults.set(check, r);
        progress(`${ex.test}: ${r.outcome} ${planned.title}`);
      }

      const phaseCases = cases.filter((c) => (c.phase ?? 1) === phase);
      await mapLimit(phaseCases, options.caseConcurrency ?? 8, async (c) => {
        const item = caseItem(c);
        const stop = blockedWhy(item.subtest);
        const r = stop ? notRun(item, `not run: ${stop}`) : await runCase(c, item);
        caseResults.set(c, r);
        progress(`${ex.test}: ${r.outcome} ${c.name}`);
      });

      if (dist && distPhase === phase) {
        const item = distItem(dist, phase);
        const sanity = cases.find((c) => (c.subtest ?? null) === (dist.subtest ?? null));
        const sanityResult = sanity ? caseResults.get(sanity) : undefined;
        const stop =
          blockedWhy(item.subtest) ??
          (sanityResult && sanityResult.outcome !== 'passed'
            ? `its sanity case "${sanity?.name}" failed`
            : undefined);
        distResult = stop ? notRun(item, `not run: ${stop}`) : await runDistribution(dist, sanity, item);
        progress(`${ex.test}: ${distResult.outcome} ${item.name}`);
      }
    }
  } finally {
    http.httpAgent.destroy();
    http.httpsAgent.destroy();
  }
  return finish();

  // --- cases -------------------------------------------------------------------------------------

  async function runCase(
    c: ScenarioCase,
    item: Omit<ItemResult, 'outcome' | 'durationMs'>,
  ): Promise<ItemResult> {
    const started = Date.now();
    const sentPath = withRequestId(c.request);
    const expect = effectiveExpect(c.request, c.expect, sentPath);
    const attempt = async (): Promise<{ reason?: string }> => {
      try {
        const res = await send(c.gateway, { ...c.request, path: sentPath });
        const actx: AttemptContext = { request: c.request, expect, scheme: res.scheme, sentPath };
        return { reason: compareResponse(actx, res.response) };
      } catch (err) {
        return { reason: `request failed: ${message(err)}` };
      }
    };
    const converged = await awaitConvergence(attempt);
    const base = { ...item, attempts: converged.attempts };
    if (converged.reason) {
      return {
        ...base,
        outcome: 'failed',
        reason: `${describe(item)}: ${converged.reason} (no ${timeouts.requiredConsecutiveSuccesses} consecutive passes within ${seconds(timeouts.maxTimeToConsistency)}; ${converged.attempts} attempts)`,
        durationMs: Date.now() - started,
      };
    }
    const mirrorProblem = await checkMirrors(c, expect, sentPath, started);
    if (mirrorProblem) {
      return {
        ...base,
        outcome: 'failed',
        reason: `${describe(item)}: ${mirrorProblem}`,
        durationMs: Date.now() - started,
      };
    }
    return { ...base, outcome: 'passed', durationMs: Date.now() - started };
  }

  /** Upstream's AwaitConvergence: N passes in a row (no delay after a pass) before the max time. */
  async function awaitConvergence(
    attempt: () => Promise<{ reason?: string }>,
  ): Promise<{ reason?: string; attempts: number }> {
    const deadline = Date.now() + timeouts.maxTimeToConsistency;
    let successes = 0;
    let attempts = 0;
    let last = 'no attempt made';
    for (;;) {
      if (Date.now() >= deadline) return { reason: last, attempts };
      const r = await attempt();
      attempts++;
      if (!r.reason) {
        successes++;
        if (successes >= timeouts.requiredConsecutiveSuccesses) return { attempts };
        continue;
      }
      successes = 0;
      last = r.reason;
      if (Date.now() + timeouts.pollInterval >= deadline) return { reason: last, attempts };
      await sleep(timeouts.pollInterval);
    }
  }

  async function checkMirrors(
    c: ScenarioCase,
    expect: CaseExpect,
    sentPath: string,
    since: number,
  ): Promise<string | undefined> {
    const mirrors = expect.mirroredTo ?? [];
    if (mirrors.length === 0) return undefined;
    const requestUri = sentPath;
    for (const m of mirrors) {
      const ref =
        typeof m === 'string'
          ? m.includes('/')
            ? { namespace: m.split('/')[0] ?? '', name: m.split('/')[1] ?? '' }
            : { namespace: c.gateway.namespace, name: m }
          : m;
      const pods = options.backends.forBackend(ref.namespace, ref.name);
      if (pods.length === 0) return `mirror backend ${ref.namespace}/${ref.name} has no echo pod`;
      const deadline = Date.now() + timeouts.requestTimeout;
      while (!pods.some((p) => p.received(requestUri, since))) {
        if (Date.now() >= deadline) {
          return `expected the request to be mirrored to ${ref.namespace}/${ref.name}, but no "Echoing back request made to ${requestUri} to client" in its log within ${seconds(timeouts.requestTimeout)}`;
        }
        await sleep(Math.min(timeouts.pollInterval, 100));
      }
    }
    return undefined;
  }

  // --- distribution ------------------------------------------------------------------------------

  async function runDistribution(
    d: DistributionCheck,
    sanity: ScenarioCase | undefined,
    item: Omit<ItemResult, 'outcome' | 'durationMs'>,
  ): Promise<ItemResult> {
    const started = Date.now();
    const total = d.totalRequests ?? 500;
    const concurrency = d.concurrency ?? 10;
    const tolerance = d.tolerance ?? 0.05;
    const maxAttempts = d.maxAttempts ?? 10;
    // Each request must pass the sanity case's checks, judged against this request (any backend).
    const sanityExpect: CaseExpect = sanity?.expect ?? { status: [200] };
    const br = sanityExpect.backendRequest;
    const expect: CaseExpect = {
      ...sanityExpect,
      backend: null,
      mirroredTo: null,
      backendRequest:
        br && br.source !== 'explicit'
          ? {
              ...br,
              method: d.request.method ?? 'GET',
              host: d.request.host,
              path: d.request.path,
              headers: d.request.headers ?? {},
            }
          : (br ?? null),
    };
    let last = '';
    for (let run = 1; run <= maxAttempts; run++) {
      const seen = new Map<string, number>();
      let error: string | undefined;
      await mapLimit(
        Array.from({ length: total }, (_, i) => i),
        concurrency,
        async () => {
          if (error) return;
          const request: CaseRequest = { ...d.request, headers: { ...(d.request.headers ?? {}) } };
          // Upstream's entropy: a random delay, a random X-Jitter header, or both.
          const mode = randomInt(3);
          if (mode !== 1 && timeouts.weightEntropyDelayLimit > 0)
            await sleep(randomInt(timeouts.weightEntropyDelayLimit));
          if (mode !== 0) request.headers = { ...request.headers, 'X-Jitter': String(randomInt(10000)) };
          try {
            const res = await send(d.gateway, request);
            const why = compareResponse(
              { request, expect, scheme: res.scheme, sentPath: request.path },
              res.response,
            );
            if (why) {
              error ??= why;
              return;
            }
            const pod = res.response.echo?.pod ?? '';
            const backend = backendOfPod(pod);
            if (!(backend in d.expectedWeights)) {
              error ??= `request was handled by an unexpected pod ${JSON.stringify(pod)} (extracted backend: ${JSON.stringify(backend)})`;
              return;
            }
            seen.set(backend, (seen.get(backend) ?? 0) + 1);
          } catch (err) {
            error ??= `request failed: ${message(err)}`;
          }
        },
      );
      if (error) {
        last = `run ${run}: error while sending requests: ${error}`;
        continue;
      }
      const problems: string[] = [];
      const active = Object.values(d.expectedWeights).filter((w) => w > 0).length;
      if (seen.size !== active)
        problems.push(`expected ${active} backends to receive traffic, but got ${seen.size}`);
      for (const [backend, want] of Object.entries(d.expectedWeights)) {
        const got = seen.get(backend);
        if (got === undefined && want !== 0) {
          problems.push(`expect traffic to hit backend ${JSON.stringify(backend)} - but none was received`);
          continue;
        }
        const share = (got ?? 0) / total;
        if (Math.abs(share - want) > tolerance) {
          problems.push(
            `backend ${JSON.stringify(backend)} weighted traffic of ${share} not within tolerance ${want} (+/-${tolerance})`,
          );
        }
      }
      if (problems.length === 0)
        return { ...item, outcome: 'passed', attempts: run, durationMs: Date.now() - started };
      const counts = [...seen.entries()].map(([b, n]) => `${b}=${n}`).join(', ');
      last = `run ${run}: ${problems.sort().join('; ')} (counts of ${total}: ${counts || 'none'})`;
    }
    return {
      ...item,
      outcome: 'failed',
      attempts: maxAttempts,
      reason: `${describe(item)}: ${last} (failed all ${maxAttempts} runs of ${total} requests)`,
      durationMs: Date.now() - started,
    };
  }

  // --- requests ----------------------------------------------------------------------------------

  async function send(
    gateway: GatewayTarget,
    request: CaseRequest,
  ): Promise<{ response: CapturedResponse; scheme: string }> {
    const address = await gatewayAddress(gateway);
    const tls = gateway.scheme === 'https' || request.tls ? resolveTls(request) : undefined;
    const built = buildRequest(
      {
        method: request.method ?? 'GET',
        host: request.host,
        path: request.path,
        headers: request.headers ?? {},
        followRedirects: request.followRedirects !== false,
        backendSetsResponseHeaders: request.backendSetsResponseHeaders ?? {},
      },
      { address, port: gateway.port, scheme: gateway.scheme },
      tls,
    );
    return {
      response: await roundTrip(built, { timeoutMs: timeouts.requestTimeout, ...http }),
      scheme: built.scheme,
    };
  }

  async function gatewayAddress(gateway: GatewayTarget): Promise<string> {
    const st = await target.status('Gateway', gateway.namespace, gateway.name);
    const first = asRecord(asArray(st?.addresses)[0]);
    if (!first || typeof first.value !== 'string' || first.value === '') {
      throw new Error(`Gateway ${gateway.namespace}/${gateway.name} has no address in status.addresses`);
    }
    return first.value;
  }

  function resolveTls(request: CaseRequest): { servername: string; ca: string } | undefined {
    const servername = request.tls?.sni || request.host || undefined;
    const trusted = request.tls?.trustedServerCertificate;
    let ca: string | undefined;
    if (typeof trusted === 'string' && trusted.includes('-----BEGIN')) ca = trusted;
    else {
      const ref =
        typeof trusted === 'string'
          ? {
              namespace: trusted.includes('/') ? trusted.split('/')[0] : 'gateway-conformance-infra',
              name: trusted.split('/').pop(),
            }
          : asRecord(trusted);
      if (ref && typeof ref.name === 'string') {
        const secret = set.get(
          'Secret',
          typeof ref.namespace === 'string' ? ref.namespace : 'gateway-conformance-infra',
          ref.name,
        );
        const crt = asRecord(secret?.data)?.['tls.crt'];
        if (typeof crt !== 'string')
          throw new Error(`trusted certificate Secret ${ref.namespace}/${ref.name} not found`);
        ca = Buffer.from(crt, 'base64').toString('utf8');
      }
    }
    if (!servername || !ca) return undefined;
    return { servername, ca };
  }
}

// --- helpers ---------------------------------------------------------------------------------------

function describe(item: Omit<ItemResult, 'outcome' | 'durationMs'>): string {
  const what = item.kind === 'case' ? 'case' : item.kind === 'distribution' ? 'check' : 'status check';
  const sub = item.subtest && item.subtest !== item.name ? ` [subtest "${item.subtest}"]` : '';
  return `${what} "${item.name}"${sub} (${item.upstream})`;
}

/** The distribution check runs in the phase of its sanity case (same subtest), else the last phase. */
function distributionPhase(d: DistributionCheck, cases: readonly ScenarioCase[]): number {
  if (typeof d.phase === 'number') return d.phase;
  const sanity = cases.find((c) => (c.subtest ?? null) === (d.subtest ?? null));
  return sanity?.phase ?? Math.max(1, ...cases.map((c) => c.phase ?? 1));
}

/** Upstream's extractBackendName: drop the ReplicaSet hash and pod suffix (`name-<rs>-<pod>` → `name`). */
export function backendOfPod(pod: string): string {
  const parts = pod.split('-');
  return parts.length < 3 ? pod : parts.slice(0, -2).join('-');
}

/** Mirror tests: upstream appends `?gateway-conformance-request-id=<uuid>` (once per case, kept across retries). */
function withRequestId(request: CaseRequest): string {
  const a = request.appendQueryParam;
  if (!a) return request.path;
  const name =
    typeof a === 'string'
      ? a
      : typeof a === 'object' && typeof a.name === 'string'
        ? a.name
        : 'gateway-conformance-request-id';
  return `${request.path}${request.path.includes('?') ? '&' : '?'}${name}=${randomUUID()}`;
}

/** When a request id was appended, what the backend must see includes it. */
function effectiveExpect(request: CaseRequest, expect: CaseExpect, sentPath: string): CaseExpect {
  if (sentPath === request.path || !expect.backendRequest) return expect;
  const br = expect.backendRequest;
  const path = br.source !== 'explicit' || br.path === request.path ? sentPath : br.path;
  return { ...expect, backendRequest: { ...br, path } };
}

async function poll(
  check: PlannedCheck,
  timeouts: TimeoutConfig,
): Promise<{ reason?: string; attempts: number }> {
  const deadline = Date.now() + check.timeoutMs;
  let attempts = 0;
  for (;;) {
    let reason: string | undefined;
    try {
      reason = await check.evaluate();
    } catch (err) {
      reason = `reading status failed: ${message(err)}`;
    }
    attempts++;
    if (reason === undefined) return { attempts };
    if (Date.now() + timeouts.pollInterval > deadline) return { reason, attempts };
    await sleep(timeouts.pollInterval);
  }
}

async function mapLimit<T>(
  items: readonly T[],
  limit: number,
  fn: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  const workers = Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, async () => {
    while (next < items.length) {
      const i = next++;
      await fn(items[i] as T);
    }
  });
  await Promise.all(workers);
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

function seconds(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000}s` : `${(ms / 1000).toFixed(1)}s`;
}

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
