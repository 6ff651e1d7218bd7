// Runs one conformance scenario (Gateway API or Ingress) against a ConformanceTarget, with upstream's
// timing rules: setup (Gateway scenarios: GatewayClass accepted, base Gateways Accepted+Programmed), then
// per phase: actions, status checks (each polled until it holds or its timeout), cases (HTTP(S), HTTP/2,
// TCP echo, rejected TLS connections; each retried until it converges), the distribution check.
// Strict: the first deviation of the last attempt is the reason, naming the case and its upstream line.

import { randomInt, randomUUID } from 'node:crypto';
import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { serverRequestsClientCertificate } from './client-certificate-probe.js';
import { type AttemptContext, compareIngressResponse, compareResponse } from './compare-response.js';
import type { EchoBackends } from './echo-backends.js';
import { CORE_FEATURES, skipReason } from './features.js';
import { buildRequest, type CapturedResponse, type ClientTls, roundTrip } from './http-client.js';
import { asArray, asRecord } from './kube-object.js';
import { type ActionContext, ObjectSet } from './object-set.js';
import { declaredObjects, type LoadedScenario, withEndpoints } from './scenario.js';
import {
  type CaseExpect,
  type CaseRequest,
  caseTarget,
  type DistributionCheck,
  type GatewayTarget,
  type ScenarioCase,
  type StatusCheck,
  upstreamLocation,
} from './scenario-schema.js';
import {
  type CheckContext,
  FatalCheckError,
  gatewaysReady,
  ingressAddress,
  type PlannedCheck,
  planGatewayClassAccepted,
  planStatusCheck,
} from './status-checks.js';
import type { ConformanceTarget } from './target.js';
import { type TcpTarget, tcpEchoExchange, tlsRejectionProbe } from './tcp-client.js';
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
  /** Why the whole test was skipped (feature gating), as upstream reports it. */
  skipped?: string;
  /** Features the scenario declares (for reports). */
  features: string[];
  provisional: boolean;
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
  conformanceTarget: ConformanceTarget,
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
  const result: ScenarioResult = {
    test: ex.test,
    file: loaded.file,
    cases: [],
    statusChecks: [],
    features: [...ex.features],
    provisional: ex.provisional === true,
  };
  const flavor = loaded.ingress ? 'ingress' : 'gateway';

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
  const skip = skipReason(ex, features);
  if (skip) {
    result.skipped = skip;
    const why = `skipped: ${skip} (claimed: ${[...features].sort().join(', ')})`;
    for (const c of cases) caseResults.set(c, notRun(caseItem(c), why, 'skipped'));
    if (dist) distResult = notRun(distItem(dist, distPhase), why, 'skipped');
    for (const s of checks) checkResults.set(s, notRun(checkItem(s), why, 'skipped'));
    return finish();
  }

  const set = new ObjectSet(declaredObjects(loaded));
  const applyAll = async () =>
    conformanceTarget.apply(await withEndpoints(set.list(), options.backends, flavor));
  const actionContext: ActionContext = {
    dir: loaded.dir,
    placeholders: { gatewayClassName: loaded.gatewayClassName, controllerName: loaded.controllerName },
    pods: (namespace, deployment) =>
      options.backends.ofDeployment(namespace, deployment).map((p) => ({
        name: p.podName,
        ip: p.host,
        nodeName: 'conformance-node',
        uid: `uid-${p.podName}`,
      })),
  };
  const ctx: CheckContext = {
    status: (kind, ns, name) => conformanceTarget.status(kind, ns, name),
    generation: (kind, ns, name) => set.generation(kind, ns, name),
    initialGeneration: (kind, ns, name) => set.generationBeforeActions(kind, ns, name),
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
    await applyAll();
  } catch (err) {
    stopAll(`target.apply failed: ${message(err)}`);
  }

  // Upstream's suite setup: GatewayClass Accepted, every base Gateway Accepted and Programmed. Ingress
  // scenarios have no setup: their IngressHasAddress checks wait.
  if (!blocked.has(ALL) && !loaded.ingress) {
    const gwc = await poll(planGatewayClassAccepted(loaded.gatewayClassName, ctx, timeouts), timeouts);
    if (gwc.reason)
      stopAll(`setup: GatewayClass ${loaded.gatewayClassName} not Accepted=True: ${gwc.reason}`);
  }
  if (!blocked.has(ALL) && !loaded.ingress) {
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
      const phaseActions = actions.filter((a) => (a.beforePhase ?? 1) === phase);
      // GenerationChanged in this phase compares with the generations before these actions.
      if (phaseActions.length > 0) set.markBeforeActions();
      for (const action of phaseActions) {
        if (blocked.has(ALL)) break;
        try {
          const what = await set.applyAction(action, actionContext);
          await applyAll();
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
        const r = stop ? notRun(item, `not run: ${stop}`) : await runAnyCase(c, item);
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

  async function runAnyCase(
    c: ScenarioCase,
    item: Omit<ItemResult, 'outcome' | 'durationMs'>,
  ): Promise<ItemResult> {
    const started = Date.now();
    let outcome: { reason?: string; attempts: number };
    try {
      if (c.type === 'tcpEcho') outcome = await runTcpEchoCase(c);
      else if (c.type === 'tlsConnectionRejected') outcome = await runRejectedCase(c);
      else outcome = await runHttpCase(c, started);
    } catch (err) {
      outcome = { reason: message(err), attempts: 0 };
    }
    return outcome.reason
      ? {
          ...item,
          attempts: outcome.attempts,
          outcome: 'failed',
          reason: `${describe(item)}: ${outcome.reason}`,
          durationMs: Date.now() - started,
        }
      : { ...item, attempts: outcome.attempts, outcome: 'passed', durationMs: Date.now() - started };
  }

  /** One attempt of an HTTP case: undefined = it passed; `fatal` = fail the case at once. */
  type Attempt = { reason?: string; fatal?: boolean };

  async function runHttpCase(
    c: ScenarioCase,
    started: number,
  ): Promise<{ reason?: string; attempts: number }> {
    const target = caseTarget(c);
    const ingress = !!c.ingress;
    const append = appendParam(c.request.appendQueryParam);
    const fixedPath = withQueryParam(c.request.path ?? '/', append?.regenerate ? undefined : append?.name);
    const ex = c.expect;
    let clientCertRequested = false;
    const attempt = async (): Promise<Attempt> => {
      const sentPath = append?.regenerate ? withQueryParam(c.request.path ?? '/', append.name) : fixedPath;
      const expect = effectiveExpect(c.request, ex, sentPath);
      let res: { response: CapturedResponse; scheme: string; clientCertRequested: boolean };
      try {
        res = await send(target, { ...c.request, path: sentPath }, ingress);
      } catch (err) {
        if (ex.requestFails) return {};
        if (ex.non200Response) return { reason: `no HTTP response yet: ${message(err)}` };
        return { reason: `request failed: ${message(err)}` };
      } finally {
        // Judged once the case has finished, over all its handshakes.
      }
      if (res.clientCertRequested) clientCertRequested = true;
      if (ex.requestFails)
        return { reason: `expected the request to fail, got an HTTP ${res.response.status} response` };
      if (ex.non200Response) {
        if (res.response.status === 200) return { reason: 'expected no 200 response, got 200', fatal: true };
        if (res.response.status === 408 || res.response.status === 504)
          return { reason: `got ${res.response.status} (a timeout): not yet` };
        return {};
      }
      if (ingress) {
        const count = c.request.count ?? 1;
        if (count > 1 || typeof ex.distinctPods === 'number')
          return countedIngressAttempt(c, target, sentPath, res.response);
        return { reason: compareIngressResponse(ex, res.response) };
      }
      const actx: AttemptContext = {
        request: c.request,
        expect,
        scheme: res.scheme,
        sentPath,
        certificateOf: (ref) => pemOf(ref, 'tls.crt'),
      };
      return { reason: compareResponse(actx, res.response) };
    };

    let result: { reason?: string; attempts: number };
    if (c.repeat) {
      result = await repeatAttempts(c.repeat.count, attempt);
    } else {
      const converged = await awaitConvergence(attempt);
      result = converged;
      if (result.reason && !converged.fatal)
        result.reason = `${result.reason} (no ${timeouts.requiredConsecutiveSuccesses} consecutive passes within ${seconds(timeouts.maxTimeToConsistency)}; ${result.attempts} attempts)`;
    }
    if (!result.reason && ex.clientCertificateRequested === true && !clientCertRequested) {
      const address = await targetAddress(target, ingress);
      if (!(await serverRequestsClientCertificate(address, target.port, c.request.tls?.sni ?? undefined)))
        result.reason = 'the server never requested a client certificate';
    }
    if (!result.reason && !ingress) {
      const mirrorProblem = await checkMirrors(
        c,
        effectiveExpect(c.request, ex, fixedPath),
        fixedPath,
        started,
      );
      if (mirrorProblem) result.reason = mirrorProblem;
    }
    if (!result.reason && c.mirrorDistribution) {
      const problem = await runMirrorDistribution(c, attempt);
      if (problem) result.reason = problem;
    }
    return result;
  }

  /** Ingress `count`: one attempt sends the request `count` times and counts distinct pods per status. */
  async function countedIngressAttempt(
    c: ScenarioCase,
    target: GatewayTarget,
    sentPath: string,
    first: CapturedResponse,
  ): Promise<Attempt> {
    const ex = c.expect;
    const wantStatus = ex.status?.[0] ?? 200;
    const responses = [first];
    for (let i = 1; i < (c.request.count ?? 1); i++) {
      try {
        responses.push((await send(target, { ...c.request, path: sentPath }, true)).response);
      } catch (err) {
        return { reason: `request ${i + 1} failed: ${message(err)}` };
      }
    }
    const matching = responses.filter((r) => r.status === wantStatus);
    if (matching.length === 0)
      return { reason: `no response with status ${wantStatus} among ${responses.length}` };
    for (const r of matching) {
      const why = compareIngressResponse(ex, r);
      if (why) return { reason: why };
    }
    if (typeof ex.distinctPods === 'number') {
      const pods = new Set(matching.map((r) => r.echo?.pod ?? ''));
      if (pods.size !== ex.distinctPods)
        return {
          reason: `expected ${ex.distinctPods} distinct pods, got ${pods.size} (${[...pods].join(', ')})`,
        };
    }
    return {};
  }

  /** `repeat`: `count` sequential sends, each exactly once; any failure fails the case. */
  async function repeatAttempts(
    count: number,
    attempt: () => Promise<Attempt>,
  ): Promise<{ reason?: string; attempts: number }> {
    for (let i = 1; i <= count; i++) {
      const r = await attempt();
      if (r.reason) return { reason: `repeat ${i} of ${count}: ${r.reason}`, attempts: i };
    }
    return { attempts: count };
  }

  /** mirrorDistribution: the share of requests each mirror backend logs, within its accept range. */
  async function runMirrorDistribution(
    c: ScenarioCase,
    _attempt: () => Promise<Attempt>,
  ): Promise<string | undefined> {
    const md = c.mirrorDistribution;
    if (!md) return undefined;
    const target = caseTarget(c);
    const paramName =
      appendParam(md.appendQueryParam as CaseRequest['appendQueryParam'])?.name ??
      'gateway-api-conformance-request-id';
    const maxAttempts = md.maxAttempts ?? 5;
    const stdDevs = md.toleranceStdDevs ?? 3;
    let last = '';
    for (let run = 1; run <= maxAttempts; run++) {
      const since = Date.now();
      const path = withQueryParam(c.request.path ?? '/', paramName);
      const expect = effectiveExpect(c.request, c.expect, path);
      let error: string | undefined;
      await mapLimit(Array.from({ length: md.totalRequests }), md.concurrency ?? 10, async () => {
        if (error) return;
        const deadline = Date.now() + timeouts.maxTimeToConsistency;
        for (;;) {
          try {
            const res = await send(target, { ...c.request, path }, false);
            const why = compareResponse(
              { request: c.request, expect, scheme: res.scheme, sentPath: path },
              res.response,
            );
            if (!why) return;
            if (Date.now() > deadline) error ??= why;
          } catch (err) {
            if (Date.now() > deadline) error ??= `request failed: ${message(err)}`;
          }
          if (error) return;
          await sleep(timeouts.pollInterval);
        }
      });
      if (error) return `mirror distribution run ${run}: ${error}`;
      await sleep(Math.min(1000, timeouts.requestTimeout));
      const problems: string[] = [];
      for (const b of md.backends) {
        const pods = options.backends.forBackend(b.namespace ?? target.namespace, b.name);
        const count = pods.reduce(
          (n, p) =>
            n +
            p.logs(since).filter((l) => l.startsWith(`Echoing back request made to ${path} to client`))
              .length,
          0,
        );
        const p = b.percent / 100;
        const mean = md.totalRequests * p;
        const spread = stdDevs * Math.sqrt(md.totalRequests * p * (1 - p));
        if (count < mean - spread || count > mean + spread)
          problems.push(
            `${b.name} logged ${count} mirrored requests, want ${(mean - spread).toFixed(2)}..${(mean + spread).toFixed(2)}`,
          );
      }
      if (problems.length === 0) return undefined;
      last = `run ${run}: ${problems.join('; ')}`;
      if (run < maxAttempts) await sleep(2000);
    }
    return `mirror distribution: ${last} (failed all ${maxAttempts} runs)`;
  }

  /** tcpEcho: a new connection every 100 ms until one exchange completes; that one must match. */
  async function runTcpEchoCase(c: ScenarioCase): Promise<{ reason?: string; attempts: number }> {
    const target = caseTarget(c);
    const tcp = await tcpTarget(target, c.request);
    const mode = c.request.exchange === 'welcomeAndTestOnly' ? 'welcomeAndTestOnly' : 'full';
    const judge = (r: Awaited<ReturnType<typeof tcpEchoExchange>>) => tcpEchoProblem(c.expect, mode, r);
    if (c.repeat) {
      for (let i = 1; i <= c.repeat.count; i++) {
        try {
          const why = judge(await tcpEchoExchange(tcp, mode, timeouts.requestTimeout));
          if (why) return { reason: `connection ${i} of ${c.repeat.count}: ${why}`, attempts: i };
        } catch (err) {
          return { reason: `connection ${i} of ${c.repeat.count} failed: ${message(err)}`, attempts: i };
        }
      }
      return { attempts: c.repeat.count };
    }
    const deadline = Date.now() + timeouts.maxTimeToConsistency;
    let attempts = 0;
    let last = 'no attempt made';
    while (Date.now() < deadline) {
      attempts++;
      try {
        const r = await tcpEchoExchange(tcp, mode, timeouts.requestTimeout);
        const why = judge(r);
        return why ? { reason: why, attempts } : { attempts };
      } catch (err) {
        last = message(err);
      }
      await sleep(timeouts.pollInterval);
    }
    return {
      reason: `no TCP echo exchange completed within ${seconds(timeouts.maxTimeToConsistency)}: ${last}`,
      attempts,
    };
  }

  /** tlsConnectionRejected: passes as soon as one handshake is ended by the peer. */
  async function runRejectedCase(c: ScenarioCase): Promise<{ reason?: string; attempts: number }> {
    const target = caseTarget(c);
    const sni = c.request.tls?.sni ?? '';
    const deadline = Date.now() + timeouts.maxTimeToConsistency;
    let attempts = 0;
    let last = 'no attempt made';
    while (Date.now() < deadline) {
      attempts++;
      try {
        const address = await targetAddress(target, false);
        const r = await tlsRejectionProbe(address, target.port, sni, timeouts.requestTimeout);
        if (r.rejected) return { attempts };
        last = r.reason;
      } catch (err) {
        last = message(err);
      }
      await sleep(timeouts.pollInterval);
    }
    return {
      reason: `expected the TLS connection with SNI ${sni} to be rejected; last attempt: ${last}`,
      attempts,
    };
  }

  async function tcpTarget(target: GatewayTarget, request: CaseRequest): Promise<TcpTarget> {
    const address = await targetAddress(target, false);
    const tls = request.tls;
    if (!tls) return { address, port: target.port };
    const ca = pemOf(tls.trustedCA ?? tls.trustedServerCertificate, 'ca.crt');
    return { address, port: target.port, tls: { sni: tls.sni ?? '', ca } };
  }

  /** Upstream's AwaitConvergence: N passes in a row (no delay after a pass) before the max time. */
  async function awaitConvergence(
    attempt: () => Promise<Attempt>,
  ): Promise<{ reason?: string; attempts: number; fatal?: boolean }> {
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
      // A fatal attempt (e.g. a 200 for non200Response) fails the case without retrying.
      if (r.fatal) return { reason: r.reason, attempts, fatal: true };
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
            : { namespace: caseTarget(c).namespace, name: m }
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
    const tcp = d.protocol === 'tcpEcho' ? await tcpTarget(d.gateway, d.request) : undefined;
    for (let run = 1; run <= maxAttempts; run++) {
      const seen = new Map<string, number>();
      let error: string | undefined;
      await mapLimit(
        Array.from({ length: total }, (_, i) => i),
        concurrency,
        async () => {
          if (error) return;
          if (tcp) {
            try {
              const r = await tcpEchoExchange(tcp, 'welcomeAndTestOnly', timeouts.requestTimeout);
              const backend = backendOfPod(String(r.test.pod ?? ''));
              if (!(backend in d.expectedWeights)) {
                error ??= `connection was handled by an unexpected pod ${JSON.stringify(r.test.pod)} (extracted backend: ${JSON.stringify(backend)})`;
                return;
              }
              seen.set(backend, (seen.get(backend) ?? 0) + 1);
            } catch (err) {
              error ??= `connection failed: ${message(err)}`;
            }
            return;
          }
          const request: CaseRequest = { ...d.request, headers: { ...(d.request.headers ?? {}) } };
          // Upstream's entropy: a random delay, a random X-Jitter header, or both.
          const mode = randomInt(3);
          if (mode !== 1 && timeouts.weightEntropyDelayLimit > 0)
            await sleep(randomInt(timeouts.weightEntropyDelayLimit));
          if (mode !== 0) request.headers = { ...request.headers, 'X-Jitter': String(randomInt(10000)) };
          try {
            const res = await send(d.gateway, request, false);
            const why = compareResponse(
              { request, expect, scheme: res.scheme, sentPath: request.path ?? '/' },
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
    target: GatewayTarget,
    request: CaseRequest,
    ingress: boolean,
  ): Promise<{ response: CapturedResponse; scheme: string; clientCertRequested: boolean }> {
    const address = await targetAddress(target, ingress);
    const scheme = target.scheme ?? 'http';
    const tls = scheme === 'https' || request.tls ? resolveTls(request) : undefined;
    const built = buildRequest(
      {
        method: request.method ?? 'GET',
        host: request.host ?? null,
        path: request.path ?? '/',
        headers: request.headers ?? {},
        followRedirects: ingress ? request.followRedirects === true : request.followRedirects !== false,
        backendSetsResponseHeaders: request.backendSetsResponseHeaders ?? {},
        client: ingress ? 'ingress' : 'gateway',
        ...(request.protocol ? { protocol: request.protocol } : {}),
      },
      // Upstream's Ingress client always uses the scheme's default port.
      { address, port: ingress ? (scheme === 'https' ? 443 : 80) : target.port, scheme },
      tls,
    );
    const response = await roundTrip(built, { timeoutMs: timeouts.requestTimeout, ...http });
    return {
      response,
      scheme: built.scheme,
      clientCertRequested: response.clientCertificateRequested === true,
    };
  }

  /** A Gateway's `status.addresses[0]`, or an Ingress's first load-balancer ip / hostname. */
  async function targetAddress(target: GatewayTarget, ingress: boolean): Promise<string> {
    const st = await conformanceTarget.status(ingress ? 'Ingress' : 'Gateway', target.namespace, target.name);
    if (ingress) {
      const address = ingressAddress(st);
      if (!address)
        throw new Error(`Ingress ${target.namespace}/${target.name} has no address in status.loadBalancer`);
      return address;
    }
    const first = asRecord(asArray(st?.addresses)[0]);
    if (!first || typeof first.value !== 'string' || first.value === '') {
      throw new Error(`Gateway ${target.namespace}/${target.name} has no address in status.addresses`);
    }
    return first.value;
  }

  function resolveTls(request: CaseRequest): ClientTls | undefined {
    const t = request.tls ?? undefined;
    const servername = t?.sni || request.host || undefined;
    const client = t?.clientCertificate
      ? { cert: pemOf(t.clientCertificate, 'tls.crt'), key: pemOf(t.clientCertificate, 'tls.key') }
      : undefined;
    if (t?.insecureSkipVerify)
      return {
        ...(servername ? { servername } : {}),
        insecure: true,
        ...(client ? { clientCertificate: client } : {}),
      };
    if (t?.trustedServerCertificate === undefined || t.trustedServerCertificate === null) {
      return servername ? { servername, ...(client ? { clientCertificate: client } : {}) } : undefined;
    }
    const ca = pemOf(t.trustedServerCertificate, 'tls.crt');
    return { ...(servername ? { servername } : {}), ca, ...(client ? { clientCertificate: client } : {}) };
  }

  /**
   * The PEM a reference names: `"Secret ns/name (tls.crt)"`, `"ConfigMap ns/name (ca.crt)"`, `"ns/name"`,
   * `{kind?, namespace, name}`, or a PEM itself. Secrets are read at `key` (tls.crt / tls.key),
   * ConfigMaps at ca.crt.
   */
  function pemOf(ref: unknown, key: 'tls.crt' | 'tls.key' | 'ca.crt'): string {
    if (typeof ref === 'string' && ref.includes('-----BEGIN')) return ref;
    const parsed = parseObjectRef(ref);
    if (!parsed) throw new Error(`cannot read a certificate reference ${JSON.stringify(ref)}`);
    const kind = parsed.kind ?? (key === 'ca.crt' ? 'ConfigMap' : 'Secret');
    const obj = set.get(kind, parsed.namespace, parsed.name);
    if (!obj) throw new Error(`${kind} ${parsed.namespace}/${parsed.name} (certificate reference) not found`);
    if (kind === 'ConfigMap') {
      const pem = asRecord(obj.data)?.['ca.crt'];
      if (typeof pem !== 'string')
        throw new Error(`ConfigMap ${parsed.namespace}/${parsed.name} has no ca.crt`);
      return pem;
    }
    const dataKey = key === 'ca.crt' ? 'tls.crt' : key;
    const b64 = asRecord(obj.data)?.[dataKey];
    if (typeof b64 !== 'string')
      throw new Error(`Secret ${parsed.namespace}/${parsed.name} has no ${dataKey}`);
    return Buffer.from(b64, 'base64').toString('utf8');
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

/** `appendQueryParam` in its shapes: `true`, a name, or `{name, regenerateEachAttempt}`. */
function appendParam(a: CaseRequest['appendQueryParam']): { name: string; regenerate: boolean } | undefined {
  if (!a) return undefined;
  if (typeof a === 'string') return { name: a, regenerate: false };
  if (typeof a === 'object')
    return { name: a.name ?? 'gateway-conformance-request-id', regenerate: a.regenerateEachAttempt === true };
  return { name: 'gateway-conformance-request-id', regenerate: false };
}

/** `path` with `name=<fresh uuid>` appended to its query (unchanged without a name). */
function withQueryParam(path: string, name: string | undefined): string {
  if (!name) return path;
  return `${path}${path.includes('?') ? '&' : '?'}${name}=${randomUUID()}`;
}

/** When a parameter was appended, what the backend must see includes it. */
function effectiveExpect(request: CaseRequest, expect: CaseExpect, sentPath: string): CaseExpect {
  if (sentPath === request.path || !expect.backendRequest) return expect;
  const br = expect.backendRequest;
  const path = br.source !== 'explicit' || br.path === request.path ? sentPath : br.path;
  return { ...expect, backendRequest: { ...br, path } };
}

/** What a completed TCP echo exchange got wrong, or undefined. */
function tcpEchoProblem(
  expect: CaseExpect,
  mode: 'full' | 'welcomeAndTestOnly',
  r: Awaited<ReturnType<typeof tcpEchoExchange>>,
): string | undefined {
  const pod = String(r.test.pod ?? '');
  if (mode === 'welcomeAndTestOnly' && pod === '') return 'TEST answered no pod name';
  if (expect.backend && !pod.startsWith(`${expect.backend}-`))
    return `expected pod name to start with ${expect.backend}-, got ${JSON.stringify(pod)} (wrong backend)`;
  if (mode === 'welcomeAndTestOnly') return undefined;
  if (expect.backendIsTLS !== null && expect.backendIsTLS !== undefined && r.isTls !== expect.backendIsTLS)
    return `IS_TLS answered ${r.isTls}, want ${expect.backendIsTLS}`;
  if (expect.namespace !== null && expect.namespace !== undefined && r.test.namespace !== expect.namespace)
    return `expected namespace ${expect.namespace}, got ${JSON.stringify(r.test.namespace)}`;
  if (expect.tlsServerName && r.test.tls?.serverName !== expect.tlsServerName)
    return `expected the backend to see SNI ${expect.tlsServerName}, got ${JSON.stringify(r.test.tls?.serverName)}`;
  return undefined;
}

/** `"Secret ns/name (tls.crt)"`, `"ConfigMap ns/name (ca.crt)"`, `"ns/name"`, `"name"` or `{kind?, namespace, name}`. */
export function parseObjectRef(ref: unknown): { kind?: string; namespace: string; name: string } | undefined {
  if (typeof ref === 'string') {
    const m = /^\s*(?:(Secret|ConfigMap)\s+)?(?:([^/\s]+)\/)?([^\s(]+)/.exec(ref);
    if (!m) return undefined;
    return {
      ...(m[1] ? { kind: m[1] } : {}),
      namespace: m[2] ?? 'gateway-conformance-infra',
      name: m[3] ?? '',
    };
  }
  const r = asRecord(ref);
  if (!r || typeof r.name !== 'string') return undefined;
  return {
    ...(typeof r.kind === 'string' ? { kind: r.kind } : {}),
    namespace: typeof r.namespace === 'string' ? r.namespace : 'gateway-conformance-infra',
    name: r.name,
  };
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
      if (err instanceof FatalCheckError) return { reason: err.message, attempts: attempts + 1 };
      reason = `reading status failed: ${message(err)}`;
    }
    attempts++;
    if (reason === undefined) return { attempts };
    const interval = check.pollIntervalMs ?? timeouts.pollInterval;
    if (Date.now() + interval > deadline) return { reason, attempts };
    await sleep(interval);
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
