import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { materialize, SERVER_HEADER_RULE } from '#adapters/haproxy/config/materialize.js';
import { boundTo, type LbModel } from '#adapters/haproxy/model.js';
import { renderHaproxyModel } from '#adapters/haproxy/render.js';
import type { AdapterNotice } from '#adapters/types.js';
import type * as ir from '#core/ir/load-balancer.js';
import { CANARY, haproxyCheck } from '#test/unit/adapters/haproxy/haproxy-check.js';
import { logFormatSamples, tokenizeLine } from './haproxy-tokenizer.js';

// Load balancers whose hostnames, paths, header names/values, query params, rewrite and redirect
// targets are arbitrary strings. Each run batches many of them into one config and runs the real
// `haproxy -c` on it, then checks the structure: every frontend holds exactly its rules, every line
// reads back as the intended words, nothing is commented out, expanded or evaluated.

const ATOMS = [
  '#',
  '$HOME',
  '"$HOME"',
  // biome-ignore lint/suspicious/noTemplateCurlyInString: a literal ${VAR} is the point
  '${PORTICO_CANARY}',
  '$PORTICO_CANARY',
  '%[env(PORTICO_CANARY)]',
  '%[env(HOME)]',
  "'",
  '"',
  '\\',
  '\n',
  '\r\n',
  ';',
  '{',
  '}',
  ' ',
  '\t',
  'é',
  '🦄',
  '-m reg',
  ' if ',
  '\n.if 0\n',
  '%',
  ')',
  ',',
  '\u0000',
];
const anyString = fc.oneof(
  fc
    .array(fc.oneof(fc.constantFrom(...ATOMS), fc.string({ maxLength: 6 })), { minLength: 1, maxLength: 5 })
    .map((a) => a.join('')),
  fc.string({ unit: 'binary', minLength: 1, maxLength: 12 }),
);
// Mostly strings that can be programmed (no control characters), so the quoting is exercised, not
// just the refusals.
const hostile = fc.oneof(
  { weight: 1, arbitrary: anyString },
  {
    weight: 3,
    arbitrary: anyString.map((v) => v.replace(/[\u0000-\u001f\u007f]/g, '')).filter((v) => v !== ''),
  },
);
type Tagged = { v: string; safe: boolean };
const safeOr = (safe: fc.Arbitrary<string>): fc.Arbitrary<Tagged> =>
  fc.oneof(
    { weight: 3, arbitrary: safe.map((v) => ({ v, safe: true })) },
    { weight: 1, arbitrary: hostile.map((v) => ({ v, safe: false })) },
  );
const label = fc.stringMatching(/^[a-z0-9]{1,8}$/);
const host = safeOr(
  fc.tuple(fc.constantFrom('', '*.'), label, label).map(([w, a, b]) => `${w}${a}.${b}.test`),
);
const path = safeOr(fc.stringMatching(/^\/[a-z0-9/._~-]{0,12}$/));
const hostilePath = fc.oneof(
  path,
  hostile.map((v) => ({ v: `/${v}`, safe: false })),
);
const headerName = safeOr(fc.stringMatching(/^[a-z][a-z0-9-]{0,10}$/));
const value = safeOr(fc.stringMatching(/^[A-Za-z0-9 ._=/-]{1,12}$/));
const regexValue = safeOr(fc.constantFrom('[a-z]+', '/a/.*', '(foo|bar)[0-9]{1,3}'));
const method = safeOr(fc.constantFrom('GET', 'POST'));

interface GenRoute {
  route: ir.Route;
  safe: boolean;
}

const route = (listener: string, i: number): fc.Arbitrary<GenRoute> =>
  fc
    .record({
      host: fc.option(host, { nil: undefined }),
      pathType: fc.constantFrom('Exact', 'Prefix', 'RegularExpression'),
      path: hostilePath,
      regex: regexValue,
      headers: fc.array(fc.record({ name: headerName, value, regex: fc.boolean() }), { maxLength: 2 }),
      query: fc.array(fc.record({ name: headerName, value }), { maxLength: 1 }),
      method: fc.option(method, { nil: undefined }),
      setHeaders: fc.array(fc.record({ name: headerName, value }), { maxLength: 2 }),
      rewriteHost: fc.option(host, { nil: undefined }),
      rewritePath: fc.option(hostilePath, { nil: undefined }),
      action: fc.constantFrom('forward', 'split', 'redirect', 'fixed'),
      redirectHost: fc.option(host, { nil: undefined }),
      redirectPath: fc.option(hostilePath, { nil: undefined }),
    })
    .map((g) => {
      const tagged: Tagged[] = [];
      const t = (x: Tagged) => {
        tagged.push(x);
        return x.v;
      };
      const pathValue = g.pathType === 'RegularExpression' ? t(g.regex) : t(g.path);
      const hostname = g.host ? t(g.host) : undefined;
      const redirectHost =
        g.redirectHost && !g.redirectHost.v.startsWith('*') ? t(g.redirectHost) : undefined;
      const rewriteHost = g.rewriteHost && !g.rewriteHost.v.startsWith('*') ? t(g.rewriteHost) : undefined;
      const prefixRewrite = g.pathType === 'Prefix';
      const r: ir.Route = {
        id: `HTTPRoute/fuzz/r/rule/${i}/match/0`,
        source: { kind: 'HTTPRoute', namespace: 'fuzz', name: 'r', rule: i, match: 0 },
        ...(hostname !== undefined ? { hostname } : {}),
        wildcard: i % 2 === 0 ? 'any-depth' : 'single-label',
        match: {
          path: { type: g.pathType, value: pathValue },
          headers: g.headers.map((h) => ({
            name: t(h.name),
            type: h.regex ? 'RegularExpression' : 'Exact',
            value: h.regex ? t(g.regex) : t(h.value),
          })),
          queryParams: g.query.map((q) => ({ name: t(q.name), type: 'Exact', value: t(q.value) })),
          ...(g.method ? { method: t(g.method) } : {}),
        },
        filters: [
          {
            type: 'RequestHeaderModifier',
            set: g.setHeaders.map((h) => ({ name: t(h.name), value: t(h.value) })),
            add: [],
            remove: [],
          },
          {
            type: 'URLRewrite',
            ...(rewriteHost !== undefined ? { hostname: rewriteHost } : {}),
            ...(g.rewritePath && prefixRewrite
              ? { path: { type: 'ReplacePrefixMatch', value: t(g.rewritePath) } }
              : {}),
          },
        ],
        action:
          g.action === 'redirect'
            ? {
                type: 'redirect',
                statusCode: 302,
                ...(redirectHost !== undefined ? { hostname: redirectHost } : {}),
                ...(g.redirectPath ? { path: { type: 'ReplaceFullPath', value: t(g.redirectPath) } } : {}),
              }
            : g.action === 'fixed'
              ? { type: 'fixed-response', statusCode: 404, reason: 'not found' }
              : {
                  type: 'forward',
                  backends:
                    g.action === 'split'
                      ? [
                          { pool: 'fuzz/a/80', weight: 3, filters: [] },
                          { pool: null, weight: 1, filters: [] },
                        ]
                      : [{ pool: 'fuzz/a/80', weight: 1, filters: [] }],
                },
      };
      void listener;
      return { route: r, safe: tagged.every((x) => x.safe) };
    });

const pool = (id: string): ir.BackendPool => ({
  id,
  source: { kind: 'Service', namespace: 'fuzz', name: id.split('/')[1]! },
  protocol: 'HTTP',
  servicePort: 80,
  trafficPolicy: 'Cluster',
  endpoints: [
    { address: '10.0.0.1', family: 'IPv4', port: 8080, ready: true, serving: true, terminating: false },
  ],
  healthCheck: {
    protocol: 'HTTP',
    path: '/healthz',
    intervalSeconds: 10,
    timeoutSeconds: 5,
    healthyThreshold: 2,
    unhealthyThreshold: 2,
    origin: 'default',
  },
});

const loadBalancer = (n: number) =>
  fc
    .tuple(
      fc
        .array(fc.integer(), { minLength: 1, maxLength: 6 })
        .chain((a) => fc.tuple(...a.map((_, i) => route('HTTP', i)))),
      fc.array(fc.record({ host, weight: fc.integer({ min: 0, max: 3 }) }), { maxLength: 3 }),
    )
    .map(([routes, sni]) => {
      const lb: ir.LoadBalancer = {
        key: `fuzz/Gateway/fuzz/gw-${n}`,
        cluster: 'fuzz',
        source: { kind: 'Gateway', namespace: 'fuzz', name: `gw-${n}` },
        provider: 'haproxy',
        scheme: 'internal',
        requestedAddresses: [],
        sourceRanges: [],
        listeners: [
          {
            id: 'HTTP-20080',
            sources: [{ kind: 'Gateway', namespace: 'fuzz', name: `gw-${n}`, section: 'http' }],
            port: 20080,
            protocol: 'HTTP',
            routes: routes.map((r) => r.route),
          },
          {
            id: 'TLS-20443',
            sources: [{ kind: 'Gateway', namespace: 'fuzz', name: `gw-${n}`, section: 'tls' }],
            port: 20443,
            protocol: 'TLS',
            tls: { mode: 'Passthrough', certificates: [] },
            routes: sni.map((s, i) => ({
              id: `TLSRoute/fuzz/t/rule/${i}`,
              source: { kind: 'TLSRoute', namespace: 'fuzz', name: 't', rule: i },
              hostname: s.host.v,
              wildcard: 'any-depth',
              match: { headers: [], queryParams: [] },
              filters: [],
              action: { type: 'forward', backends: [{ pool: 'fuzz/a/80', weight: s.weight, filters: [] }] },
            })),
          },
        ],
        pools: [pool('fuzz/a/80')],
        providerParameters: {},
      };
      return { lb, safeRoutes: routes.filter((r) => r.safe).map((r) => r.route.id) };
    });

const ALLOWED_SAMPLES = new Set(['%[var(txn.be)]', '%[var(txn.rt)]', '%[var(txn.host)]', '%[pathq]']);

/** The log-format argument of a rule, where HAProxy evaluates `%[...]`. */
function logFormatArgument(words: string[]): string | undefined {
  const [side, action] = words;
  if (side !== 'http-request' && side !== 'http-response') return undefined;
  if (action === 'set-header' || action === 'add-header' || action === 'replace-path') return words[3];
  if (action === 'set-path') return words[2];
  if (action === 'redirect') return words[3];
  return undefined;
}

function checkStructure(models: LbModel[], cfg: string, maps: Record<string, string>): void {
  const lines = cfg.split('\n');
  expect(lines.at(-1)).toBe('');
  const sections: string[][] = [];
  for (const line of lines.slice(0, -1)) {
    if (line === '') continue;
    if (!line.startsWith('  ')) sections.push([line]);
    else sections.at(-1)!.push(line.slice(2));
  }
  const frontends = models.flatMap((m) => m.frontends);
  const backends = models.flatMap((m) => m.backends);
  expect(sections.length).toBe(5 + frontends.length + backends.length);
  for (const f of frontends) {
    const s = sections.find((x) => x[0] === `frontend ${f.name}`)!;
    // header, mode, bind, the fixed Server header rule (HTTP), the rules exactly, default_backend:
    // nothing added, nothing cut.
    expect(s).toEqual([
      `frontend ${f.name}`,
      `mode ${f.mode}`,
      expect.stringMatching(/^bind /),
      ...(f.mode === 'http' ? [SERVER_HEADER_RULE] : []),
      ...f.rules,
      `default_backend ${f.defaultBackend}`,
    ]);
  }
  for (const b of backends) {
    const s = sections.find((x) => x[0] === `backend ${b.name}`)!;
    expect(s.filter((l) => l.startsWith('server ')).length).toBe(b.slots);
  }
  for (const line of lines) {
    const t = tokenizeLine(line);
    expect(t.comment, line).toBe(false);
    expect(t.expansions, line).toEqual([]);
    expect(t.unterminated, line).toBe(false);
    expect(line.includes(CANARY)).toBe(false);
    const lf = logFormatArgument(t.words);
    if (lf !== undefined)
      for (const s of logFormatSamples(lf)) expect(ALLOWED_SAMPLES.has(s), `${s} in ${line}`).toBe(true);
  }
  for (const [file, text] of Object.entries(maps)) {
    for (const line of text.split('\n').slice(0, -1)) {
      const fields = line.split(/[ \t]+/);
      expect(fields.length, `${file}: ${line}`).toBe(2);
      expect(line.startsWith('#')).toBe(false);
    }
  }
}

describe('fuzz: hostile strings never change the HAProxy config structure', () => {
  it('haproxy -c accepts every batch and each line reads back as intended', () => {
    let strings = 0;
    let hostileAccepted = 0;
    fc.assert(
      fc.property(fc.tuple(...Array.from({ length: 30 }, (_, i) => loadBalancer(i))), (generated) => {
        const models: LbModel[] = [];
        const notices: AdapterNotice[] = [];
        generated.forEach(({ lb, safeRoutes }, i) => {
          const r = renderHaproxyModel(lb);
          models.push(boundTo(r.model, `127.0.${1 + Math.floor(i / 200)}.${1 + (i % 200)}`));
          notices.push(...r.notices);
          // Routes built only from safe values are never rejected.
          for (const id of safeRoutes) expect(r.notices.filter((n) => n.route === id)).toEqual([]);
          const rejected = new Set(r.notices.map((n) => n.route));
          hostileAccepted += lb.listeners[0]!.routes.filter(
            (x) => !safeRoutes.includes(x.id) && !rejected.has(x.id),
          ).length;
          strings += lb.listeners.reduce((s, l) => s + l.routes.length, 0) * 6;
        });
        for (const n of notices) expect(n.field ?? n.feature).toBeTruthy();
        const { files } = materialize(models, {}, { stateDir: '/run/portico/haproxy' });
        checkStructure(
          models,
          files['haproxy.cfg']!,
          Object.fromEntries(Object.entries(files).filter(([p]) => p.endsWith('.map'))),
        );
        const check = haproxyCheck(files);
        expect(check.output).not.toContain(CANARY);
        expect(check.output, check.output).not.toMatch(/ALERT/);
        expect(check.status).toBe(0);
      }),
      { numRuns: 60, endOnFailure: true },
    );
    expect(strings).toBeGreaterThan(5000);
    // Hostile but harmless values (`#`, `$HOME`, quotes, `%[...]`) are programmed, not just refused.
    expect(hostileAccepted).toBeGreaterThan(300);
  }, 60_000);
});
