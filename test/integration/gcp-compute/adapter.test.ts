// The GCP Compute adapter end to end: the real @google-cloud/compute client (REST) against the Compute
// emulator (test/emulators/gcp-compute), no mocks. translate() → render → observe → plan → apply, via
// adapters/reconcile.ts. Call counts come from the emulator's per-method counters.

import { PassThroughClient } from 'google-auth-library';
import { describe, expect, it } from 'vitest';
import type { GcpComputeAdapter } from '#adapters/gcp-compute/adapter.js';
import type { GcpKinds } from '#adapters/gcp-compute/model.js';
import { reconcileLoadBalancer } from '#adapters/reconcile.js';
import { AbortedError, isRetryable, ThrottledError } from '#adapters/types.js';
import { lbKey } from '#core/ir/lb-key.js';
import type * as ir from '#core/ir/load-balancer.js';
import { ownershipDescription } from '#core/naming/index.js';
import type { CallStats } from '#test/emulators/gcp-compute/index.js';
import { computeClients, succeeded } from '#test/emulators/gcp-compute/test-clients.js';
import { selfSignedCertificate } from '../../conformance/certificates.js';
import { type FixtureOptions, gatewayLb, inventory, onComputeEmulator, PROJECT, ZONES } from './fixtures.js';

const gcp = onComputeEmulator();
const adapter = gcp.adapter;

const KEY = gatewayLb().key;

function reconcile(
  a: GcpComputeAdapter,
  lb: ir.LoadBalancer | undefined,
  signal = new AbortController().signal,
) {
  return reconcileLoadBalancer<GcpKinds>({ key: KEY, lb, adapter: a, signal });
}

/** Reset the counters, run, and return the calls made. */
async function measured<T>(fn: () => Promise<T>): Promise<{ result: T; stats: CallStats }> {
  gcp.emu.resetStats();
  const result = await fn();
  return { result, stats: gcp.emu.stats() };
}

const READ = /\.(get|list|aggregatedList|wait|listNetworkEndpoints)$/;
const mutating = (s: CallStats) =>
  Object.fromEntries(Object.entries(s.byMethod).filter(([m]) => !READ.test(m)));
const report = (what: string, s: CallStats) =>
  console.info(`${what}: ${s.mutating} mutating, ${s.read} reads`, JSON.stringify(mutating(s)));

/** One Gateway, one HTTP listener, 3 routes, 2 pools in 2 zones. */
const CREATED = {
  forwardingRules: 1,
  targetHttpProxies: 1,
  urlMaps: 1,
  backendServices: 3,
  healthChecks: 2,
  networkEndpointGroups: 4,
  endpoints: 3,
};

describe('gcp-compute adapter on the emulator', () => {
  it('programs the v1.6 route features (method, CORS, mirror %, per-try timeout, backend headers) and converges', {
    timeout: 60_000,
  }, async () => {
    const a = adapter();
    const lb = gatewayLb({ v16: true });
    const created = await reconcile(a, lb);
    expect(created.notices.filter((n) => n.severity === 'error')).toEqual([]);
    expect(created.status.programmed).toBe(true);
    const c = await computeClients(gcp.emu);
    try {
      const [maps] = await c.urlMaps.list({ project: PROJECT });
      const rule = maps[0]?.pathMatchers
        ?.flatMap((p) => p.routeRules ?? [])
        .find((r) => r.routeAction?.corsPolicy);
      expect(rule?.matchRules?.[0]?.headerMatches).toEqual([
        expect.objectContaining({ headerName: ':method', exactMatch: 'POST' }),
      ]);
      expect(rule?.routeAction).toMatchObject({
        corsPolicy: { allowOrigins: ['https://app.example.com'], allowMethods: ['POST'], maxAge: 60 },
        requestMirrorPolicy: { mirrorPercent: 25 },
        timeout: { seconds: '9' },
        retryPolicy: { numRetries: 2, perTryTimeout: { seconds: '1', nanos: 500_000_000 } },
      });
      expect(rule?.routeAction?.weightedBackendServices?.[0]?.headerAction?.requestHeadersToAdd).toEqual([
        expect.objectContaining({ headerName: 'x-lane', headerValue: 'api', replace: true }),
      ]);
    } finally {
      await c.close();
    }
    // Observe reads every new field back as render wrote it: nothing to change.
    const again = await measured(() => reconcile(a, lb));
    expect(again.stats.mutating).toBe(0);
  });

  it('creates, converges, moves endpoints, adds and removes a route, and deletes everything', {
    timeout: 60_000,
  }, async () => {
    const a = adapter();
    const lb = (o: FixtureOptions = {}) => gatewayLb(o);

    const create = await measured(() => reconcile(a, lb()));
    expect(create.result.plan.conflicts).toEqual([]);
    expect(inventory(gcp.emu)).toEqual(CREATED);
    expect(create.result.status.programmed).toBe(true);
    expect(create.result.status.addresses).toEqual([
      { type: 'IPAddress', value: expect.stringMatching(/^34\.120\./) },
    ]);
    report('create', create.stats);

    const noop = await measured(() => reconcile(a, lb()));
    expect(noop.result.plan.changes.filter((c) => c.action !== 'noop')).toEqual([]);
    expect(noop.stats.mutating).toBe(0);
    expect(noop.result.status).toEqual(create.result.status);
    report('no-op', noop.stats);

    // app gains an endpoint in zone c, api loses its only one (zone b): one attach and one detach.
    const endpoints = { app: ['10.0.1.1', '10.0.1.2@europe-west1-c', '10.0.1.3@europe-west1-c'], api: [] };
    const moved = await measured(() => reconcile(a, lb({ endpoints })));
    expect(mutating(moved.stats)).toEqual({
      'networkEndpointGroups.attachNetworkEndpoints': 1,
      'networkEndpointGroups.detachNetworkEndpoints': 1,
    });
    expect(inventory(gcp.emu).endpoints).toBe(3);
    report('endpoint change', moved.stats);
    expect((await measured(() => reconcile(a, lb({ endpoints })))).stats.mutating).toBe(0);

    // A route to a new Service: its backend service, health check and NEGs, then the URL map.
    const added = await measured(() => reconcile(a, lb({ endpoints, extraRoute: true })));
    expect(mutating(added.stats)).toEqual({
      'backendServices.insert': 1,
      'healthChecks.insert': 1,
      'networkEndpointGroups.insert': 2,
      'networkEndpointGroups.attachNetworkEndpoints': 1,
      'urlMaps.update': 1,
    });
    expect(inventory(gcp.emu).backendServices).toBe(4);
    report('route added', added.stats);
    expect((await measured(() => reconcile(a, lb({ endpoints, extraRoute: true })))).stats.mutating).toBe(0);

    // And gone again: the URL map first, then what only the route used.
    const removed = await measured(() => reconcile(a, lb({ endpoints })));
    expect(mutating(removed.stats)).toEqual({
      'urlMaps.update': 1,
      'backendServices.delete': 1,
      'healthChecks.delete': 1,
      'networkEndpointGroups.delete': 2,
    });
    expect(inventory(gcp.emu).backendServices).toBe(3);
    report('route removed', removed.stats);
    expect((await measured(() => reconcile(a, lb({ endpoints })))).stats.mutating).toBe(0);

    // A fresh adapter (a new process) agrees with what is there.
    const fresh = await measured(() => reconcile(adapter(), lb({ endpoints })));
    expect(fresh.stats.mutating).toBe(0);

    const del = await measured(() => reconcile(a, undefined));
    expect(inventory(gcp.emu)).toEqual({});
    expect(del.result.status.addresses).toEqual([]);
    report('delete', del.stats);
    expect((await measured(() => reconcile(a, undefined))).stats.mutating).toBe(0);
  });
});

describe('gcp-compute adapter: ownership, interruptions and faults', () => {
  it('never touches an unowned backend service with the name render uses', async () => {
    const c = await computeClients(gcp.emu);
    try {
      const desired = gatewayLb();
      const rendered = adapter().render(desired);
      const bs = rendered.resources.find((r) => r.kind === 'backend-service' && r.value.pool !== undefined);
      if (bs?.kind !== 'backend-service') throw new Error('no pool backend service rendered');
      await succeeded(
        c,
        c.backendServices.insert({
          project: PROJECT,
          backendServiceResource: {
            name: bs.value.name,
            description: 'the payments team',
            loadBalancingScheme: 'EXTERNAL_MANAGED',
            protocol: 'HTTP',
          },
        }),
      );
      const untouched = async () => {
        const [now] = await c.backendServices.get({ project: PROJECT, backendService: bs.value.name });
        expect(now.description).toBe('the payments team');
        expect(now.backends ?? []).toEqual([]);
        expect(now.healthChecks ?? []).toEqual([]);
      };
      const a = adapter();
      const out = await reconcile(a, desired);
      expect(out.plan.conflicts.map((x) => x.address)).toContain(bs.address);
      // The URL map would send traffic to it: held back too; the rest is programmed.
      expect(out.plan.conflicts.map((x) => x.kind)).toContain('url-map');
      expect(out.status.programmed).toBe(false);
      expect(inventory(gcp.emu).backendServices).toBe(3);
      await untouched();
      expect((await measured(() => reconcile(a, desired))).stats.mutating).toBe(0);
      await reconcile(a, undefined);
      expect(inventory(gcp.emu)).toEqual({ backendServices: 1 });
      await untouched();
    } finally {
      await c.close();
    }
  }, 60_000); // builds a second set of Google clients (seconds on a loaded machine)

  it('resumes after an abort after k calls, for every k, without duplicates', {
    timeout: 90_000,
  }, async () => {
    const lb = gatewayLb({ zones: [ZONES[0]!] });
    // One adapter for the interrupted runs (its counter re-armed each time), one for the fresh process.
    const counter = new CallCounter();
    const interrupted = adapter({ authClient: counter });
    const run = (k: number) => {
      const ac = new AbortController();
      counter.arm(k, () => ac.abort(new Error(`aborted after ${k} calls`)));
      return reconcile(interrupted, lb, ac.signal);
    };
    await run(Number.POSITIVE_INFINITY);
    const expected = inventory(gcp.emu);
    const total = counter.calls;
    expect(total).toBeGreaterThan(20);
    const fresh = adapter();
    for (let k = 1; k < total; k++) {
      gcp.emu.reset();
      await expect(run(k)).rejects.toBeInstanceOf(AbortedError);
      expect(counter.calls).toBe(k);
      // A fresh process resumes; whatever the aborted run created is found, nothing is made twice.
      await reconcile(fresh, lb);
      expect(inventory(gcp.emu), `k=${k}`).toEqual(expected);
      expect(gcp.emu.stats().errorsByReason.alreadyExists ?? 0, `k=${k}`).toBe(0);
      expect((await measured(() => reconcile(fresh, lb))).stats.mutating, `k=${k}`).toBe(0);
    }
    console.info(`abort after k calls: every k from 1 to ${total - 1} resumed`);
  });

  // Rate limits without the ErrorInfo detail (see FaultConfig): the adapter tells them by status and message.
  const FAULTS = {
    rateLimitProbability: { probability: 0.2, errorInfo: false },
    serverErrors: { probability: 0.2 },
  };

  it('converges with 20% rate-limit errors and 20% 5xx injected', { timeout: 60_000 }, async () => {
    gcp.emu.setFaults(FAULTS);
    const a = adapter({ attempts: 5 });
    let failures = 0;
    const converge = async (lb: ir.LoadBalancer | undefined) => {
      for (let i = 0; i < 10; i++) {
        try {
          const out = await reconcile(a, lb);
          if (out.plan.changes.every((c) => c.action === 'noop') && out.deletesWithheld === 0) return;
        } catch (err) {
          if (!isRetryable(err)) throw err;
          failures++;
        }
      }
      throw new Error('did not converge');
    };
    await converge(gatewayLb());
    expect(gcp.emu.stats().rateLimited).toBeGreaterThan(0);
    expect(gcp.emu.stats().injected).toBeGreaterThan(0);
    gcp.emu.clearFaults();
    expect(inventory(gcp.emu)).toEqual(CREATED);
    expect((await measured(() => reconcile(a, gatewayLb()))).stats.mutating).toBe(0);
    gcp.emu.setFaults(FAULTS);
    await converge(undefined);
    gcp.emu.clearFaults();
    expect(inventory(gcp.emu)).toEqual({});
    console.info('faults: reconciles that failed after in-call retries:', failures);
  });

  it('fails a delete when one listing is rate-limited, changing nothing, and deletes on retry', async () => {
    const a = adapter();
    await reconcile(a, gatewayLb());
    const before = inventory(gcp.emu);
    // As GCP answers: 403 rateLimitExceeded with a RATE_LIMIT_EXCEEDED ErrorInfo; no retry in the call.
    gcp.emu.setFaults({ rateLimitProbability: { pattern: '^urlMaps\\.aggregatedList$', probability: 1 } });
    const once = adapter({ attempts: 1 });
    const failed = await measured(() => reconcile(once, undefined).catch((e: unknown) => e));
    expect(failed.result).toBeInstanceOf(ThrottledError);
    expect(String(failed.result)).toMatch(/could not be read whole/);
    expect(failed.stats.rateLimited).toBe(1);
    expect(failed.stats.mutating).toBe(0);
    expect(inventory(gcp.emu)).toEqual(before);
    gcp.emu.clearFaults();
    await reconcile(a, undefined);
    expect(inventory(gcp.emu)).toEqual({});
  });

  it('rotates a certificate with the proxy never pointing at a missing one', async () => {
    const first = selfSignedCertificate(['shop.example.com']);
    const second = selfSignedCertificate(['shop.example.com', 'www.shop.example.com']);
    const a = adapter();
    await reconcile(a, gatewayLb({ tls: { cert: first.certPem, key: first.keyPem } }));
    expect(inventory(gcp.emu)).toMatchObject({
      sslCertificates: 1,
      targetHttpsProxies: 1,
      forwardingRules: 2,
    });
    const rotated = await measured(() =>
      reconcile(a, gatewayLb({ tls: { cert: second.certPem, key: second.keyPem } })),
    );
    expect(mutating(rotated.stats)).toEqual({
      'sslCertificates.insert': 1,
      'targetHttpsProxies.setSslCertificates': 1,
      'sslCertificates.delete': 1,
    });
    // In this order: the proxy switches to a certificate that exists, then the old one goes (unused).
    const order = gcp.emu.calls.map((c) => c.method).filter((m) => !READ.test(m));
    expect(order).toEqual([
      'sslCertificates.insert',
      'targetHttpsProxies.setSslCertificates',
      'sslCertificates.delete',
    ]);
    // Every change succeeded at once (no certificate in use, none missing); the only errors are the
    // observe's 404 for the new certificate's name.
    expect(gcp.emu.calls.filter((c) => !READ.test(c.method) && c.status !== 200)).toEqual([]);
    expect(Object.keys(rotated.stats.errorsByReason)).toEqual(['notFound']);
    expect(inventory(gcp.emu).sslCertificates).toBe(1);
    const c = await computeClients(gcp.emu);
    try {
      const [proxies] = await c.targetHttpsProxies.list({ project: PROJECT });
      const [certs] = await c.sslCertificates.list({ project: PROJECT });
      expect(proxies[0]?.sslCertificates).toEqual([certs[0]?.selfLink]);
      expect(certs[0]?.certificate).toBe(second.certPem);
    } finally {
      await c.close();
    }
    expect(
      (await measured(() => reconcile(a, gatewayLb({ tls: { cert: second.certPem, key: second.keyPem } }))))
        .stats.mutating,
    ).toBe(0);
  });
});

/** Counts the client's HTTP calls (every call goes through its auth client) and fires after the k-th. */
class CallCounter extends PassThroughClient {
  calls = 0;
  private k = Number.POSITIVE_INFINITY;
  private onK: () => void = () => {};

  arm(k: number, onK: () => void): void {
    this.calls = 0;
    this.k = k;
    this.onK = onK;
  }

  constructor() {
    super();
    const send = this.fetch.bind(this);
    this.fetch = (async (...args: Parameters<PassThroughClient['fetch']>) => {
      const response = await send(...args);
      if (++this.calls >= this.k) this.onK();
      return response;
    }) as PassThroughClient['fetch'];
  }
}

describe('gcp-compute adapter: resync listing and the project', () => {
  it('lists the keys of its cluster only, and says when a listing failed', async () => {
    const a = adapter();
    await reconcile(a, gatewayLb());
    const c = await computeClients(gcp.emu);
    try {
      const marker = (cluster: string, key: string) =>
        ownershipDescription({ cluster, lbKey: key, role: 'health-check' });
      const probe = { type: 'TCP', tcpHealthCheck: { port: 80 } };
      // Another Portico cluster's resource, and someone else's.
      await succeeded(
        c,
        c.healthChecks.insert({
          project: PROJECT,
          healthCheckResource: {
            name: 'other',
            description: marker('other', lbKey('other', 'Gateway', 'shop', 'web')),
            ...probe,
          },
        }),
      );
      await succeeded(
        c,
        c.healthChecks.insert({
          project: PROJECT,
          healthCheckResource: { name: 'theirs', description: 'payments', ...probe },
        }),
      );
      // A resource left over by a delete that stopped half-way, in a region: found by its marker alone.
      const orphan = lbKey('it', 'Ingress', 'shop', 'gone');
      await succeeded(
        c,
        c.regionHealthChecks.insert({
          project: PROJECT,
          region: 'europe-west1',
          healthCheckResource: { name: 'orphan', description: marker('it', orphan), ...probe },
        }),
      );
    } finally {
      await c.close();
    }
    const signal = new AbortController().signal;
    const listed = await measured(() => a.listOwnedKeys!('it', { signal }));
    expect(listed.result).toEqual({
      keys: [lbKey('it', 'Ingress', 'shop', 'gone'), KEY].sort(),
      complete: true,
    });
    expect(listed.stats.mutating).toBe(0);
    expect(await a.listOwnedKeys!('other', { signal })).toEqual({ keys: [], complete: true });
    gcp.emu.failNext({
      pattern: '^backendServices\\.aggregatedList$',
      status: 500,
      reason: 'backendError',
      count: 3,
    });
    expect((await a.listOwnedKeys!('it', { signal })).complete).toBe(false);
    // The orphan's delete finds it by its marker, in its region.
    await reconcileLoadBalancer<GcpKinds>({
      key: lbKey('it', 'Ingress', 'shop', 'gone'),
      lb: undefined,
      adapter: a,
      signal,
    });
    expect(inventory(gcp.emu).healthChecks).toBe(4);
  });

  it('renders nothing, with an error notice, for a load balancer of another project', () => {
    const lb = gatewayLb();
    const other = { ...lb, providerParameters: { ...lb.providerParameters, project: 'someone-elses' } };
    const rendered = adapter().render(other);
    expect(rendered.resources).toEqual([]);
    expect(rendered.notices).toEqual([
      expect.objectContaining({
        severity: 'error',
        field: 'gcpCompute.project',
        message: expect.stringMatching(
          /"someone-elses" is not the project this Portico programs \(portico-test\)/,
        ),
      }),
    ]);
    expect(adapter().render(lb).resources.length).toBeGreaterThan(0);
  });
});
