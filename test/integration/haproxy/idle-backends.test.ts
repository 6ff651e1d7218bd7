// A route that moves from one Service to another and back: the backend it leaves stays in the
// config, idle, so moving back is a map change through the runtime API, not a reload; the next
// reload that happens anyway drops it. Real HAProxy, real requests. Pool 127.0.0.26.

import { readFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { HaproxyAdapter } from '#adapters/haproxy/adapter.js';
import { reconcileLoadBalancer } from '#adapters/reconcile.js';
import { type LooseRoute, withDefaults } from '#test/support/loose-ir.js';
import { onAdapterAndBackends } from './adapter-and-backends.js';
import { startBackend, type TestBackend } from './support.js';

const IP = '127.0.0.26';
const PORT = 26001;
let a: TestBackend;
let b: TestBackend;
let stateDir: string;
let adapter: HaproxyAdapter;

onAdapterAndBackends('idle', IP, (started) => {
  ({ a, b, adapter, stateDir } = started);
});

const route = (pool: string): LooseRoute => ({
  id: 'HTTPRoute/shop/web/rule/0/match/0',
  hostname: 'shop.test',
  match: { path: { type: 'Prefix', value: '/' } },
  action: { type: 'forward', backends: [{ pool, weight: 1 }] },
});

async function routeTo(pool: string, extraRoutes: LooseRoute[] = []) {
  const lb = withDefaults(
    {
      listeners: [{ id: 'HTTP', port: PORT, protocol: 'HTTP', routes: [route(pool), ...extraRoutes] }],
      pools: [
        { id: 'shop/a/80', endpoints: [{ address: '127.0.0.1', port: a.port }] },
        { id: 'shop/b/80', endpoints: [{ address: '127.0.0.1', port: b.port }] },
      ].filter((p) => p.id === pool || extraRoutes.length > 0),
    },
    { key: 'idle/Gateway/shop/gw', provider: 'haproxy', scheme: 'internal', providerParameters: {} },
  );
  await reconcileLoadBalancer({ key: lb.key, lb, adapter, signal: new AbortController().signal });
  return adapter.lastApply!;
}

/** A new connection each time: a kept-alive one may still reach the worker before a reload. */
const served = () =>
  new Promise<string>((resolve, reject) => {
    const req = request({ host: IP, port: PORT, headers: { host: 'shop.test' }, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (c: string) => {
        body += c;
      });
      res.on('end', () => resolve(body));
    });
    req.on('error', reject).end();
  });
const backendsInConfig = () =>
  readFileSync(join(stateDir, 'haproxy.cfg'), 'utf8').match(/^backend be_\S+/gm)?.length ?? 0;

describe('idle backends', () => {
  it('keeps the backend a route left, so moving back and forth needs no reload', async () => {
    await routeTo('shop/a/80');
    expect(await served()).toBe('a');
    // b is new: its backend section is a reload.
    expect(await routeTo('shop/b/80')).toMatchObject({ reloaded: true });
    expect(await served()).toBe('b');
    expect(backendsInConfig()).toBe(2); // a, idle
    // Back to a, and to b again: map changes only.
    const back = await routeTo('shop/a/80');
    expect(back.reason).toBeUndefined();
    expect(back).toMatchObject({ path: 'runtime', reloaded: false });
    expect(await served()).toBe('a');
    expect(await routeTo('shop/b/80')).toMatchObject({ path: 'runtime', reloaded: false });
    expect(await served()).toBe('b');
    // A no-op stays a no-op (idle backends are not planned, so never "deleted" again).
    expect(await routeTo('shop/b/80')).toMatchObject({ path: 'noop' });
  });

  it('serves an idle backend again with its current endpoints, and drops it with its load balancer', async () => {
    // b's endpoint moved meanwhile (another port): routing back to it updates the slot at runtime.
    const c = await startBackend('c');
    try {
      const signal = new AbortController().signal;
      const reconcile = async (pool: string) => {
        const lb = withDefaults(
          {
            listeners: [{ id: 'HTTP', port: PORT, protocol: 'HTTP', routes: [route(pool)] }],
            pools: [
              { id: 'shop/a/80', endpoints: [{ address: '127.0.0.1', port: a.port }] },
              { id: 'shop/b/80', endpoints: [{ address: '127.0.0.1', port: c.port }] },
            ].filter((p) => p.id === pool),
          },
          { key: 'idle/Gateway/shop/gw', provider: 'haproxy', scheme: 'internal', providerParameters: {} },
        );
        await reconcileLoadBalancer({ key: lb.key, lb, adapter, signal });
        return adapter.lastApply!;
      };
      expect(await reconcile('shop/a/80')).toMatchObject({ reloaded: false });
      expect(await reconcile('shop/b/80')).toMatchObject({ path: 'runtime', reloaded: false });
      expect(await served()).toBe('c');
      // The load balancer goes: its idle backends with it.
      await reconcileLoadBalancer({ key: 'idle/Gateway/shop/gw', lb: undefined, adapter, signal });
      expect(backendsInConfig()).toBe(0);
    } finally {
      await c.close();
    }
  });
});
