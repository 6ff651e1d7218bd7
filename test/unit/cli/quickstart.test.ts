import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { demoBackendsIn } from '#cli/demo-backends.js';
import { loadManifests } from '#cli/manifests.js';
import { validateLoadBalancer } from '#core/ir/validate.js';
import { translate } from '#core/translate/translate.js';

const dir = join(import.meta.dirname, '../../../examples/quickstart');

describe('examples/quickstart', () => {
  it('translates without a problem into a Gateway, an Ingress and a Service load balancer', async () => {
    const { objects, problems } = await loadManifests(dir);
    expect(problems).toEqual([]);
    const result = translate(objects);
    expect(result.notices.filter((n) => n.severity !== 'info')).toEqual([]);
    expect(result.held).toEqual([]);
    expect(result.loadBalancers.map((lb) => lb.key)).toEqual([
      'local/Gateway/demo/shop',
      'local/Ingress/demo/web',
      'local/Service/demo/echo',
    ]);
    for (const lb of result.loadBalancers) expect(validateLoadBalancer(lb)).toEqual([]);
    const routes = result.statuses.filter((s) => s.kind === 'HTTPRoute');
    for (const r of routes) expect(JSON.stringify(r.status)).not.toContain('"False"');
  });

  it('names one demo server per labelled endpoint', async () => {
    const { objects } = await loadManifests(dir);
    expect(demoBackendsIn(objects).map((b) => `${b.service} ${b.kind} ${b.address}:${b.port}`)).toEqual([
      'store-v1 http 127.0.0.1:28081',
      'store-v2 http 127.0.0.1:28082',
      'api http 127.0.0.1:28083',
      'echo tcp-echo 127.0.0.1:28084',
    ]);
  });
});
