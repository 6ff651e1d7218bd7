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

const cases = loadGoldenCases(join(import.meta.dirname, '../../../golden/render'));
const DEFAULTS: Partial<ir.LoadBalancer> = {
  key: 'test/Gateway/shop/web',
  provider: 'haproxy',
  scheme: 'internal',
  providerParameters: {},
};

function written(c: (typeof cases)[number]): { model: LbModel; files: Record<string, string> } {
  const { model } = renderHaproxyModel(withDefaults(c.documents[0] as LooseLb, DEFAULTS));
  const bound = boundTo(model, '127.0.0.2');
  return { model: bound, files: materialize([bound], {}, { stateDir: '/run/portico' }).files };
}

describe('read-back of the config materialize writes', () => {
  for (const c of cases)
    it(`${c.name}: every frontend and backend reads back as its model`, () => {
      const { model, files } = written(c);
      const sections = parseSections(files['haproxy.cfg']!);
      for (const f of model.frontends) {
        const crtLists = f.tls?.mode === 'Terminate' ? { [f.tls.crtList]: files[f.tls.crtList]! } : {};
        expect(readFrontend(sections.get(`frontend ${f.name}`)!, f, crtLists)).toEqual(f);
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
    const frontend: FrontendModel = readFrontend(sections.get(`frontend ${f.name}`)!, f, {});
    expect(frontend.rules.at(-1)).toBe('http-request deny');
    const backend: BackendModel = readBackend(sections.get(`backend ${b.name}`)!, b);
    expect(backend.configDrift).toEqual(['+ balance leastconn', '- balance roundrobin']);
    expect(backend.endpoints).toContainEqual({ ...endpoint, port: 9999 });
  });
});
