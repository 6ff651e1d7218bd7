import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DevKubeFixture, startDevKube } from '#test/integration/kube/dev-kube-fixture.js';
import { eventually, httpRoute, type KubeFixture } from '../kube/support.js';

// `portico dev --kubeconfig` when an object in the cluster is edited into one that fails its schema:
// the last valid version keeps serving, and the object's status says why.

const POOL = '127.0.78.10-127.0.78.20';
const PORT = 18_391;
let dev: DevKubeFixture;
let kube: KubeFixture;
let logs: string[];
let gatewayAddress: () => string | undefined;

function status(address: string, path: string): Promise<number> {
  return new Promise((resolve) => {
    const req = request({ host: address, port: PORT, path, agent: false, timeout: 2_000 }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', () => resolve(0));
    req.end();
  });
}

type Condition = {
  type: string;
  status: string;
  reason: string;
  message: string;
  observedGeneration?: number;
};
const routeAccepted = () =>
  (
    kube.server.get('HTTPRoute', 'demo', 'app')?.status as
      | { parents?: { conditions: Condition[] }[] }
      | undefined
  )?.parents?.[0]?.conditions.find((c) => c.type === 'Accepted');
beforeAll(async () => {
  dev = await startDevKube({ pool: POOL, port: PORT });
  ({ kube, logs, gatewayAddress } = dev);
});

afterAll(async () => {
  await dev?.close();
});

describe('portico dev --kubeconfig: an object that fails its schema', () => {
  it('keeps its last valid version serving, with Accepted=False (Invalid) in its status, until fixed', async () => {
    const address = await eventually(gatewayAddress, 'Gateway address', 15_000);
    await eventually(async () => (await status(address, '/app')) === 200, 'traffic', 5_000);

    const invalid = httpRoute('demo', 'app', [{ name: 'web' }], { name: 'app', port: 80 }, '/moved');
    (invalid.spec.rules[0]!.backendRefs[0] as { port: unknown }).port = 'eighty';
    kube.server.apply(invalid);
    const accepted = await eventually(
      () => (routeAccepted()?.reason === 'Invalid' ? routeAccepted() : undefined),
      'Invalid in the route status',
    );
    expect(accepted).toMatchObject({ status: 'False', observedGeneration: 2 });
    expect(accepted.message).toMatch(
      /^The current version is invalid \(spec\.rules\[0\]\.backendRefs\[0\]\.port: .+\); the last valid version stays programmed$/,
    );
    expect(await status(address, '/app')).toBe(200);
    expect(await status(address, '/moved')).toBe(404);
    expect(logs).toContainEqual(
      expect.stringMatching(
        /^error: HTTPRoute demo\/app spec\.rules\[0\]\.backendRefs\[0\]\.port: .+; keeping its last valid version/,
      ),
    );

    kube.server.apply(httpRoute('demo', 'app', [{ name: 'web' }], { name: 'app', port: 80 }, '/moved'));
    await eventually(async () => (await status(address, '/moved')) === 200, 'the fixed route');
    await eventually(() => routeAccepted()?.status === 'True', 'Accepted again');
    expect(routeAccepted()?.observedGeneration).toBe(3);
  });
});
