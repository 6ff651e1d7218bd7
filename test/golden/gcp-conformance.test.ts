import { existsSync } from 'node:fs';
import { basename, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { GcpKinds } from '#adapters/gcp-compute/model.js';
import { renderGcpCompute } from '#adapters/gcp-compute/render.js';
import type { AdapterNotice } from '#adapters/types.js';
import type * as ir from '#core/ir/load-balancer.js';
import type { DesiredResource } from '#core/plan/types.js';
import { translate } from '#core/translate/translate.js';
import { declaredObjects, listScenarioFiles, loadScenario } from '#test/conformance/scenario.js';

// Every shipped conformance scenario (Gateway API and Ingress, kept in shared/ beside the repository)
// through translate and the GCP render: each IR route either becomes part of a URL map (or, on a
// TCP/UDP listener, of a passthrough forwarding rule), or is named by a notice that says which
// feature GCP cannot express. Nothing is dropped silently.
const SHARED = join(import.meta.dirname, '../../../shared/conformance');
const files = ['gateway-api', 'ingress'].flatMap((d) =>
  existsSync(join(SHARED, d)) ? listScenarioFiles(join(SHARED, d)) : [],
);
const PARAMS = { project: 'my-project', negZones: ['us-central1-a', 'us-central1-b'] };

/** Where each route of the load balancer went: rendered, or the notice that explains why not. */
function fate(lb: ir.LoadBalancer, resources: DesiredResource<GcpKinds>[], notices: AdapterNotice[]) {
  const inUrlMaps = new Set(
    resources.flatMap((r) =>
      r.kind === 'url-map'
        ? r.value.pathMatchers.flatMap((p) => p.routeRules.flatMap((x) => x.routes ?? []))
        : [],
    ),
  );
  const forwardingRules = resources.filter((r) => r.kind === 'forwarding-rule').length;
  const errors = notices.filter((n) => n.severity === 'error');
  return lb.listeners.flatMap((l) =>
    l.routes.map((route) => {
      const why = errors.find(
        (n) =>
          (n.route === route.id && (n.listener === undefined || n.listener === l.id)) ||
          (n.route === undefined && n.listener === l.id) ||
          (n.route === undefined && n.listener === undefined && n.pool === undefined),
      );
      const layer4 = (l.protocol === 'TCP' || l.protocol === 'UDP') && forwardingRules > 0 && !why;
      return { route: route.id, rendered: inUrlMaps.has(route.id) || layer4, why };
    }),
  );
}

describe('every shipped conformance scenario renders on GCP into resources or precise notices', () => {
  it('finds the scenarios', () => {
    expect(files.length).toBeGreaterThanOrEqual(20);
  });

  it.each(files.map((f) => [basename(f, '.expect.json'), f]))('%s', (_, file) => {
    const loaded = loadScenario(file);
    const { loadBalancers } = translate(declaredObjects(loaded), { defaultProvider: 'gcp-compute' });
    for (const translated of loadBalancers) {
      const lb = { ...translated, providerParameters: PARAMS };
      const { resources, notices } = renderGcpCompute(lb);
      for (const n of notices) {
        expect(n.feature, JSON.stringify(n)).toMatch(/^[a-z][-a-zA-Z0-9/]+$/);
        expect(n.message.length, JSON.stringify(n)).toBeGreaterThan(10);
      }
      for (const f of fate(lb, resources, notices))
        expect(
          f.rendered || f.why !== undefined,
          `${lb.key}: route ${f.route} is neither rendered nor explained`,
        ).toBe(true);
    }
  });
});
