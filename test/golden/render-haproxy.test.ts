import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { materialize } from '#adapters/haproxy/config/materialize.js';
import { boundTo } from '#adapters/haproxy/model.js';
import { modelResources, renderHaproxyModel } from '#adapters/haproxy/render.js';
import type * as ir from '#core/ir/load-balancer.js';
import { checkGolden, goldenOutputPath, loadGoldenCases, toGoldenYaml } from '#test/support/golden.js';
import { type LooseLb, withDefaults } from '#test/support/loose-ir.js';
import { haproxyCheck } from '#test/unit/adapters/haproxy/haproxy-check.js';

// Each case: an IR load balancer (empty lists and the usual defaults may be left out; see withDefaults)
// and `options: {address}` (the pool address apply would bind it to) → `.out.yaml` (resources + notices) and `.cfg` (the materialized config,
// which must pass the real `haproxy -c`).
const dir = join(import.meta.dirname, 'render', 'haproxy');
const cases = loadGoldenCases(dir);
const STATE_DIR = '/run/portico/haproxy';
const HAPROXY_DEFAULTS: Partial<ir.LoadBalancer> = {
  key: 'test/Gateway/shop/web',
  provider: 'haproxy',
  scheme: 'internal',
  providerParameters: {},
};

describe('golden: render haproxy', () => {
  it('has cases', () => {
    expect(cases.length).toBeGreaterThanOrEqual(10);
  });
  for (const c of cases) {
    it(c.name, () => {
      const lb = withDefaults(c.documents[0] as LooseLb, HAPROXY_DEFAULTS);
      const { model, notices } = renderHaproxyModel(lb);
      const out = checkGolden(c.outPath, toGoldenYaml({ resources: modelResources(model), notices }));
      expect(out.actual).toBe(out.expected);
      const address = String(c.options.address ?? '127.0.0.2');
      const { files } = materialize([boundTo(model, address)], {}, { stateDir: STATE_DIR });
      const cfg = checkGolden(goldenOutputPath(c, '.cfg'), files['haproxy.cfg']!);
      expect(cfg.actual).toBe(cfg.expected);
      const check = haproxyCheck(files);
      expect(check.output).not.toMatch(/ALERT/);
      expect(check.status).toBe(0);
    });
  }
});
