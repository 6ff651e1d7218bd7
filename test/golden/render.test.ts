import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { materialize } from '#adapters/haproxy/config/materialize.js';
import { boundTo } from '#adapters/haproxy/model.js';
import { modelsFromResources, renderHaproxy } from '#adapters/haproxy/render.js';
import { PROVIDERS, providerNames } from '#adapters/registry.js';
import { checkGolden, goldenOutputPath, loadGoldenCases, toGoldenYaml } from '#test/support/golden.js';
import { type LooseLb, parametersFor, withDefaults } from '#test/support/loose-ir.js';
import { haproxyCheck } from '#test/unit/adapters/haproxy/haproxy-check.js';

// One corpus through every registered adapter: each case is an IR load balancer (empty lists and the
// usual defaults may be left out, see withDefaults; the ELBv2 parameters, or GCP's for gcp-compute,
// are valid unless the case says otherwise, see parametersFor) → `<case>.<adapter>.out.yaml` (the pure half's resources and notices), so what one
// provider cannot express shows as a difference to review. HAProxy's resources are also materialized
// into `<case>.haproxy.cfg` (bound to `options.address`, default 127.0.0.2, and for IPv6 to
// `options.address6`, default ::1), which must pass the real `haproxy -c`. `options.zone` is the
// HAProxy adapter's zone option.
const dir = join(import.meta.dirname, 'render');
const cases = loadGoldenCases(dir);
const STATE_DIR = '/run/portico/haproxy';
const adapters = await Promise.all(providerNames().map(async (name) => PROVIDERS[name].pure()));
const haproxy = await PROVIDERS.haproxy.pure();

describe('golden: render, every adapter', () => {
  it('has cases and adapters', () => {
    expect(cases.length).toBeGreaterThanOrEqual(30);
    expect(adapters.map((a) => a.name)).toEqual(providerNames());
  });
  for (const c of cases) {
    describe(c.name, () => {
      const lb = withDefaults(c.documents[0] as LooseLb);
      const zone = c.options.zone === undefined ? undefined : String(c.options.zone);
      for (const adapter of adapters) {
        it(adapter.name, () => {
          const render =
            adapter.name === haproxy.name && zone !== undefined
              ? (x: typeof lb) => renderHaproxy(x, { zone })
              : adapter.render;
          const rendered = render({
            ...lb,
            ...parametersFor(adapter.name, c.documents[0] as object),
          });
          const out = checkGolden(goldenOutputPath(c, `.${adapter.name}.out.yaml`), toGoldenYaml(rendered));
          expect(out.actual).toBe(out.expected);
          if (adapter.name !== haproxy.name) return;
          // Bound to the address the pool would give it on apply (a case may say which).
          const address = {
            IPv4: String(c.options.address ?? '127.0.0.2'),
            IPv6: String(c.options.address6 ?? '::1'),
          };
          const haproxyRendered = zone !== undefined ? renderHaproxy(lb, { zone }) : haproxy.render(lb);
          const models = modelsFromResources(haproxyRendered.resources).map((m) => boundTo(m, address));
          const { files } = materialize(models, {}, { stateDir: STATE_DIR });
          const cfg = checkGolden(goldenOutputPath(c, '.haproxy.cfg'), files['haproxy.cfg']!);
          expect(cfg.actual).toBe(cfg.expected);
          const check = haproxyCheck(files);
          expect(check.output).not.toMatch(/ALERT/);
          expect(check.status).toBe(0);
        });
      }
    });
  }
});
