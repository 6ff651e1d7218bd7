import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { materialize } from '#adapters/haproxy/config/materialize.js';
import { parseSections, readBackend, readFrontend } from '#adapters/haproxy/config/read-back.js';
import { type BackendModel, boundTo, type FrontendModel, type LbModel } from '#adapters/haproxy/model.js';
import { renderHaproxyModel } from '#adapters/haproxy/render.js';
import type * as ir from '#core/ir/load-balancer.js';
import { loadGoldenCases } from '#test/support/golden.js';
import { type LooseLb, withDefaults } from '#test/support/loose-ir.js';

// observe reads the live config back into model values: what materialize wrote must read back as
// exactly the model (or every reconcile would see a difference and reload), and a hand edit must not.

const STATE_DIR = '/run/portico';
const cases = loadGoldenCases(join(import.meta.dirname, '../../../golden/render'));
const DEFAULTS: Partial<ir.LoadBalancer> = {
  key: 'test/Gateway/shop/web',
  provider: 'haproxy',
  scheme: 'internal',
  providerParameters: {},
};

function written(c: (typeof cases)[number]): { model: LbModel; files: Record<string, string> } {
  const zone = c.options.zone === undefined ? {} : { zone: String(c.options.zone) };
  const { model } = renderHaproxyModel(withDefaults(c.documents[0] as LooseLb, DEFAULTS), zone);
  const bound = boundTo(model, { IPv4: '127.0.0.2', IPv6: '::1' });
  return { model: bound, files: materialize([bound], {}, { stateDir: STATE_DIR }).files };
}

describe('read-back of the config materialize writes', () => {
  for (const c of cases)
    it(`${c.name}: every frontend and backend reads back as its model`, () => {
      const { model, files } = written(c);
      const sections = parseSections(files['haproxy.cfg']!);
      for (const f of model.frontends) {
        const crtLists: Record<string, string> = {};
        for (const path of [
          f.tls?.mode === 'Terminate' ? f.tls.crtList : undefined,
          f.terminator?.tls.crtList,
        ])
          if (path !== undefined) crtLists[path] = files[path]!;
        const live = { sections, instance: STATE_DIR };
        expect(readFrontend(sections.get(`frontend ${f.name}`)!, f, crtLists, live)).toEqual(f);
      }
      for (const b of model.backends) expect(readBackend(sections.get(`backend ${b.name}`)!, b)).toEqual(b);
    });

  it('reports a hand-added line, a changed setting and a moved server as differences', () => {
    const { model, files } = written(cases.find((c) => c.name === 'mixed-vhost')!);
    const f = model.frontends[0]!;
    const b = model.backends.find((x) => x.endpoints.length > 0)!;
    const endpoint = b.endpoints[0]!;
    const edited = files['haproxy.cfg']!.replace(
      `default_backend ${f.defaultBackend}`,
      `http-request deny\n  default_backend ${f.defaultBackend}`,
    )
      .replace(new RegExp(`(backend ${b.name}\\n(?:.*\\n)*?)  balance roundrobin`), '$1  balance leastconn')
      .replace(`${endpoint.address}:${endpoint.port}`, `${endpoint.address}:9999`);
    const sections = parseSections(edited);
    const live = { sections, instance: STATE_DIR };
    const frontend: FrontendModel = readFrontend(sections.get(`frontend ${f.name}`)!, f, {}, live);
    expect(frontend.rules.at(-1)).toBe('http-request deny');
    const backend: BackendModel = readBackend(sections.get(`backend ${b.name}`)!, b);
    expect(backend.configDrift).toEqual(['+ balance leastconn', '- balance roundrobin']);
    expect(backend.endpoints).toContainEqual({ ...endpoint, port: 9999 });
  });

  describe('a TLS listener mixing modes', () => {
    const { model, files } = written(cases.find((c) => c.name === 'tls-mixed-modes')!);
    const f = model.frontends[0]!;
    const t = f.terminator!;
    const crtLists = { [t.tls.crtList]: files[t.tls.crtList]! };
    const read = (cfg: string, reference: FrontendModel = f, instance = STATE_DIR) => {
      const sections = parseSections(cfg);
      return readFrontend(sections.get(`frontend ${f.name}`)!, reference, crtLists, { sections, instance });
    };

    it('reads its terminator back, and reports a changed bind or server line in it', () => {
      expect(read(files['haproxy.cfg']!).terminator).toEqual(t);
      const cfg = files['haproxy.cfg']!.replace(' accept-proxy ssl', ' ssl').replace(' send-proxy-v2', '');
      expect(read(cfg).configDrift).toEqual([
        expect.stringMatching(/^\+ bind abns@portico-[a-z2-7]+ ssl crt-list /),
        expect.stringMatching(/^- bind abns@portico-[a-z2-7]+ accept-proxy ssl crt-list /),
        expect.stringMatching(/^\+ server tls abns@portico-[a-z2-7]+$/),
        expect.stringMatching(/^- server tls abns@portico-[a-z2-7]+ send-proxy-v2$/),
      ]);
    });

    it('reports a terminator of another instance, a missing one and one no longer wanted', () => {
      expect(read(files['haproxy.cfg']!, f, '/run/other').configDrift).toHaveLength(4);
      const without = files['haproxy.cfg']!.replace(
        /\nfrontend tlsterm_[\s\S]*?\n\nbackend tlsterm_[\s\S]*?\n\n/,
        '\n',
      );
      expect(without).not.toContain('tlsterm_');
      expect(read(without).configDrift).toEqual(
        expect.arrayContaining([`- default_backend portico_tcp_reject`]),
      );
      const { terminator: _, ...unwanted } = f;
      expect(read(files['haproxy.cfg']!, unwanted).terminator).toEqual(t);
    });
  });
});
