import { fakeHarness } from './harness.js';
import { endpointSlice, gateway, gatewayClass, httpRoute, service, snapshotEvents } from './objects.js';

/**
 * The starting point of several tests: Gateway `web`, HTTPRoute `app` (app.example) → Service `app`
 * with one endpoint 10.0.0.1, listed through ingest and programmed on a fake provider.
 */
export async function programmedApp() {
  const { fake, h } = fakeHarness();
  const eps = endpointSlice('app', ['10.0.0.1']);
  const objects = [
    gatewayClass(),
    gateway('web'),
    httpRoute('app', 'web', 'app', 'app.example'),
    service('app'),
    eps,
  ];
  const listed = await h.post(snapshotEvents(objects, 's1'));
  if (listed.status !== 202) throw new Error(`the list was refused: ${listed.status}`);
  await h.settle();
  return { fake, h, eps };
}
