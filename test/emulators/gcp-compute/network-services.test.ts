// Network Services service load balancing policies on the emulator, through google-auth-library's
// client (what adapters/gcp-compute/internal/google-rest.ts uses) and, for the backend services that name
// them, the real @google-cloud/compute client.

import { PassThroughClient } from 'google-auth-library';
import { describe, expect, it } from 'vitest';
import type { GcpComputeEmulator } from './index.js';
import {
  type ComputeClients,
  onEmulatorWithClients,
  PROJECT,
  REGION,
  rejection,
  succeeded,
} from './test-clients.js';

let emu: GcpComputeEmulator;
let c: ComputeClients;
const auth = new PassThroughClient();
const parent = `projects/${PROJECT}/locations/global`;

onEmulatorWithClients({ operationDelayMs: 30 }, (started) => {
  ({ emu, c } = started);
});

/** What the API answers, loosely: operations, policies, lists and errors. */
interface Answer {
  name: string;
  done?: boolean;
  response?: unknown;
  metadata?: unknown;
  description?: string;
  serviceLbPolicies?: unknown[];
  error: { status: string; message: string };
}

async function call(method: string, path: string, data?: object): Promise<{ status: number; body: Answer }> {
  try {
    const res = await auth.request<Answer>({
      url: `http://127.0.0.1:${emu.port}/v1/${path}`,
      method: method as 'GET',
      data,
      retry: false,
    });
    return { status: res.status, body: res.data };
  } catch (err) {
    const r = (err as { response?: { status: number; data: unknown } }).response;
    if (!r) throw err;
    return { status: r.status, body: r.data as Answer };
  }
}

/** Polls the operation until done, as google-rest does. */
async function done(op: Answer): Promise<Answer> {
  let o = op;
  for (let i = 0; !o.done; i++) {
    if (i > 100) throw new Error('operation never done');
    await new Promise((r) => setTimeout(r, 10));
    o = (await call('GET', o.name)).body;
  }
  return o;
}

describe('GCP emulator: Network Services serviceLbPolicies', () => {
  it('creates through a long-running operation, the policy showing once it is done; patches by mask; lists', async () => {
    const created = await call('POST', `${parent}/serviceLbPolicies?serviceLbPolicyId=zonal`, {
      description: 'mine',
      loadBalancingAlgorithm: 'WATERFALL_BY_ZONE',
    });
    expect(created.status).toBe(200);
    expect(created.body).toMatchObject({
      done: false,
      metadata: { verb: 'create', target: `${parent}/serviceLbPolicies/zonal` },
    });
    expect((await call('GET', `${parent}/serviceLbPolicies/zonal`)).status).toBe(404);
    const op = await done(created.body);
    expect(op.response).toMatchObject({
      name: `${parent}/serviceLbPolicies/zonal`,
      loadBalancingAlgorithm: 'WATERFALL_BY_ZONE',
    });
    expect((await call('GET', `${parent}/serviceLbPolicies/zonal`)).body).toMatchObject({
      description: 'mine',
    });

    const patched = await call(
      'PATCH',
      `${parent}/serviceLbPolicies/zonal?updateMask=loadBalancingAlgorithm`,
      {
        description: 'ignored: not in the mask',
        loadBalancingAlgorithm: 'SPRAY_TO_REGION',
      },
    );
    await done(patched.body);
    expect((await call('GET', `${parent}/serviceLbPolicies/zonal`)).body).toMatchObject({
      description: 'mine',
      loadBalancingAlgorithm: 'SPRAY_TO_REGION',
    });
    expect((await call('GET', `${parent}/serviceLbPolicies`)).body.serviceLbPolicies).toHaveLength(1);
    expect(
      (await call('POST', `${parent}/serviceLbPolicies?serviceLbPolicyId=zonal`, {})).body.error.status,
    ).toBe('ALREADY_EXISTS');
    expect(emu.stats().byMethod['networkservices.serviceLbPolicies.create']).toBe(2);
  });

  it('refuses what the API refuses, naming it', async () => {
    const bad: [string, object, string][] = [
      ['Bad_Id', {}, "serviceLbPolicyId 'Bad_Id' must be 1 to 63 lower-case letters"],
      ['ok', { loadBalancingAlgorithm: 'NEAREST' }, 'load_balancing_algorithm'],
      ['ok', { weights: 1 }, 'Unknown name "weights"'],
      ['ok', { description: 'x'.repeat(1025) }, 'at most 1024 characters'],
      ['ok', { failoverConfig: { failoverHealthThreshold: 100 } }, 'from 1 to 99'],
    ];
    for (const [id, body, message] of bad) {
      const r = await call('POST', `${parent}/serviceLbPolicies?serviceLbPolicyId=${id}`, body);
      expect(r.status).toBe(400);
      expect(r.body.error).toMatchObject({
        status: 'INVALID_ARGUMENT',
        message: expect.stringContaining(message),
      });
    }
    expect((await call('PATCH', `${parent}/serviceLbPolicies/none?updateMask=description`, {})).status).toBe(
      404,
    );
  });

  it('lets a global managed backend service name an existing policy only, and keeps a named policy from deletion', async () => {
    const policy = `//networkservices.googleapis.com/${parent}/serviceLbPolicies/zonal`;
    const insert = (name: string, scheme = 'EXTERNAL_MANAGED') =>
      c.backendServices.insert({
        project: PROJECT,
        backendServiceResource: { name, loadBalancingScheme: scheme, serviceLbPolicy: policy },
      });
    expect((await rejection(insert('early'))).status).toBe(404);
    await done((await call('POST', `${parent}/serviceLbPolicies?serviceLbPolicyId=zonal`, {})).body);
    await succeeded(c, insert('be'));
    const [be] = await c.backendServices.get({ project: PROJECT, backendService: 'be' });
    expect(be.serviceLbPolicy).toBe(policy);
    expect((await rejection(insert('classic', 'EXTERNAL'))).message).toContain(
      'can only be set on global EXTERNAL_MANAGED, INTERNAL_MANAGED or INTERNAL_SELF_MANAGED',
    );
    const regional = await rejection(
      c.regionBackendServices.insert({
        project: PROJECT,
        region: REGION,
        backendServiceResource: {
          name: 'r',
          loadBalancingScheme: 'INTERNAL_MANAGED',
          serviceLbPolicy: policy,
        },
      }),
    );
    expect(regional.status).toBe(400);

    const inUse = await call('DELETE', `${parent}/serviceLbPolicies/zonal`);
    expect(inUse.status).toBe(400);
    expect(inUse.body.error).toMatchObject({
      status: 'FAILED_PRECONDITION',
      message: expect.stringContaining('in use by backend service'),
    });
    await succeeded(c, c.backendServices.delete({ project: PROJECT, backendService: 'be' }));
    await done((await call('DELETE', `${parent}/serviceLbPolicies/zonal`)).body);
    expect((await call('GET', `${parent}/serviceLbPolicies/zonal`)).status).toBe(404);
  });
});
