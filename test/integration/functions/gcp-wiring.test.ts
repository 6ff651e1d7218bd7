// The reconcile function's GCP wiring: the config from SSM (the SSM emulator, through the real AWS
// SDK), google-auth-library's real AwsClient against a local stand-in for Google's STS and IAM
// Credentials endpoints (what it signs and sends is checked), and the lazy adapter's life cycle.

import { AwsClient } from 'google-auth-library';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { GcpComputeAdapterOptions } from '#adapters/gcp-compute/adapter.js';
import { gcpComputePureHalf } from '#adapters/gcp-compute/adapter.js';
import { GCP_CAPABILITIES } from '#adapters/gcp-compute/capabilities.js';
import { GCP_COMPUTE_ADAPTER, type GcpKinds } from '#adapters/gcp-compute/model.js';
import { InvalidConfigError, type LoadBalancerAdapter } from '#adapters/types.js';
import { cloudAdapters } from '#functions/wiring/cloud-adapters.js';
import { type GcpDescriptor, gcpAdapterFromSsm, lazyGcpAdapter } from '#functions/wiring/gcp-adapter.js';
import { GCP_SCOPE, gcpAuthClient } from '#functions/wiring/gcp-auth.js';
import { type GcpExternalAccountCredentials, parseGcpConfig } from '#functions/wiring/gcp-config.js';
import { clearParameterCache } from '#functions/wiring/ssm-parameter.js';
import { type LocalServer, listenLocal } from '#test/emulators/local-server.js';
import { createSsmClient, type SsmEmulator, startSsmEmulator } from '#test/emulators/ssm/index.js';
import { AUDIENCE, gcpConfigJson, SERVICE_ACCOUNT } from '#test/support/gcp-credentials.js';

const PARAMETER = '/portico/test/gcp-config';
/** The audience the client exchanges for (protected in its typings; what it sends is checked below). */
const audienceOf = (client: AwsClient) => (client as unknown as { audience: string }).audience;
const signal = new AbortController().signal;

/** A descriptor around the real pure half whose `create` records what it was given. */
function recordingDescriptor() {
  const created: GcpComputeAdapterOptions[] = [];
  let pureLoads = 0;
  const descriptor: GcpDescriptor = {
    name: GCP_COMPUTE_ADAPTER,
    async pure() {
      pureLoads++;
      return gcpComputePureHalf();
    },
    async create(options): Promise<LoadBalancerAdapter<GcpKinds>> {
      created.push(options);
      return {
        ...gcpComputePureHalf(),
        observe: async () => ({ resources: [], complete: true }),
        apply: async (plan) => ({
          key: plan.lbKey,
          addresses: [],
          programmed: true,
          message: options.project,
        }),
      };
    },
  };
  return { descriptor, created, pureLoads: () => pureLoads };
}

describe('the GCP wiring of the deployed functions', () => {
  let ssm: SsmEmulator;
  beforeAll(async () => {
    ssm = await startSsmEmulator();
  });
  afterAll(async () => ssm?.close());
  afterEach(() => {
    clearParameterCache();
    ssm.parameters.clear();
  });

  it('without PORTICO_GCP_CONFIG_PARAMETER: aws-elbv2 only', async () => {
    expect(Object.keys(await cloudAdapters({ AWS_REGION: 'eu-west-1' }))).toEqual(['aws-elbv2']);
  });

  it('wires the pure half at once and reads nothing until GCP is observed', async () => {
    ssm.put(PARAMETER, gcpConfigJson());
    const { descriptor, created } = recordingDescriptor();
    const calls = ssm.calls.GetParameter ?? 0;
    const adapter = await gcpAdapterFromSsm({ AWS_REGION: 'eu-west-1' }, PARAMETER, {
      ssm: createSsmClient(ssm),
      descriptor,
    });
    expect(adapter.name).toBe('gcp-compute');
    expect(adapter.capabilities()).toEqual(GCP_CAPABILITIES);
    expect(created).toEqual([]);
    expect(ssm.calls.GetParameter ?? 0).toBe(calls);

    const observed = await adapter.observe('gw/c1/shop/web', { signal, desired: [] });
    expect(observed).toEqual({ resources: [], complete: true });
    expect(ssm.calls.GetParameter).toBe(calls + 1);
    expect(created).toHaveLength(1);
    const options = created[0]!;
    expect(options.project).toBe('shop-prod-123');
    expect(options.clientOptions.authClient).toBeInstanceOf(AwsClient);
    expect(audienceOf(options.clientOptions.authClient as AwsClient)).toBe(AUDIENCE);
    expect((options.clientOptions.authClient as AwsClient).getServiceAccountEmail()).toBe(SERVICE_ACCOUNT);

    // the adapter is kept while the config is the same
    await adapter.apply({ lbKey: 'gw/c1/shop/web', changes: [], conflicts: [] } as never, { signal });
    expect(created).toHaveLength(1);
  });

  it('re-reads the config and builds a new adapter when it changed', async () => {
    ssm.put(PARAMETER, gcpConfigJson('shop-prod-123'));
    const { descriptor, created } = recordingDescriptor();
    const adapter = await lazyGcpAdapter({
      descriptor,
      ssm: createSsmClient(ssm),
      parameter: PARAMETER,
      cacheMs: 0,
    });
    const plan = { lbKey: 'gw/c1/shop/web', changes: [], conflicts: [] } as never;
    expect((await adapter.apply(plan, { signal })).message).toBe('shop-prod-123');
    expect((await adapter.apply(plan, { signal })).message).toBe('shop-prod-123');
    expect(created).toHaveLength(1);
    ssm.put(PARAMETER, gcpConfigJson('shop-prod-456'));
    expect((await adapter.apply(plan, { signal })).message).toBe('shop-prod-456');
    expect(created.map((c) => c.project)).toEqual(['shop-prod-123', 'shop-prod-456']);
  });

  it('fails the GCP calls with the config error, and recovers once the parameter is fixed', async () => {
    const key = {
      type: 'service_account',
      private_key: '-----BEGIN PRIVATE KEY-----\nSECRET\n-----END PRIVATE KEY-----\n',
    };
    ssm.put(PARAMETER, JSON.stringify({ project: 'shop-prod-123', credentials: key }));
    const { descriptor, created } = recordingDescriptor();
    const adapter = await lazyGcpAdapter({
      descriptor,
      ssm: createSsmClient(ssm),
      parameter: PARAMETER,
      cacheMs: 0,
    });
    const failure = adapter.observe('gw/c1/shop/web', { signal, desired: [] });
    await expect(failure).rejects.toBeInstanceOf(InvalidConfigError);
    await expect(failure).rejects.toThrow(
      `SSM parameter ${PARAMETER}: credentials: a service-account key is refused`,
    );
    await expect(adapter.listOwnedKeys!('c1', { signal })).rejects.toThrow(/service-account key is refused/);
    expect(created).toEqual([]);

    ssm.put(PARAMETER, gcpConfigJson());
    await expect(adapter.observe('gw/c1/shop/web', { signal, desired: [] })).resolves.toMatchObject({
      complete: true,
    });
    expect(created).toHaveLength(1);
  });

  it('names a missing parameter', async () => {
    const { descriptor } = recordingDescriptor();
    const adapter = await lazyGcpAdapter({ descriptor, ssm: createSsmClient(ssm), parameter: PARAMETER });
    await expect(adapter.observe('gw/c1/shop/web', { signal, desired: [] })).rejects.toThrow(
      `SSM parameter ${PARAMETER} does not exist`,
    );
  });

  it('says a listing is incomplete when the adapter has none (resync then concludes nothing)', async () => {
    ssm.put(PARAMETER, gcpConfigJson());
    const { descriptor } = recordingDescriptor();
    const adapter = await lazyGcpAdapter({ descriptor, ssm: createSsmClient(ssm), parameter: PARAMETER });
    expect(await adapter.listOwnedKeys!('c1', { signal })).toEqual({ keys: [], complete: false });
  });
});

/**
 * Google's STS (`POST /v1/token`) and IAM Credentials (`generateAccessToken`), as far as the AwsClient
 * talks to them: each request is recorded and answered with a token.
 */
async function startGoogleTokenEndpoints() {
  const requests: { path: string; headers: Record<string, unknown>; body: string }[] = [];
  const server: LocalServer = await listenLocal(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = Buffer.concat(chunks).toString('utf8');
    requests.push({ path: req.url ?? '', headers: req.headers, body });
    res.setHeader('content-type', 'application/json');
    if (req.url === '/v1/token') {
      res.end(
        JSON.stringify({
          access_token: 'federated-token',
          issued_token_type: 'urn:ietf:params:oauth:token-type:access_token',
          token_type: 'Bearer',
          expires_in: 3600,
        }),
      );
    } else if (req.url?.endsWith(':generateAccessToken')) {
      res.end(
        JSON.stringify({
          accessToken: 'service-account-token',
          expireTime: new Date(Date.now() + 3_600_000).toISOString(),
        }),
      );
    } else {
      res.statusCode = 404;
      res.end('{}');
    }
  });
  return { requests, server };
}

describe('gcpAuthClient: the AwsClient of a validated configuration', () => {
  afterEach(() => vi.unstubAllEnvs());

  it('is an AwsClient for the configuration audience, asking for the Cloud Platform scope (the only one that covers Network Security and Network Services)', () => {
    const { credentials } = parseGcpConfig(gcpConfigJson(), 'test');
    const client = gcpAuthClient(credentials);
    expect(client).toBeInstanceOf(AwsClient);
    expect(audienceOf(client)).toBe(AUDIENCE);
    expect(client.scopes).toEqual([GCP_SCOPE]);
  });

  it('signs GetCallerIdentity with the Lambda role credentials from the environment and gets the service account token', async () => {
    vi.stubEnv('AWS_REGION', 'eu-west-1');
    vi.stubEnv('AWS_ACCESS_KEY_ID', 'ASIATESTLAMBDAROLE');
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'lambda-role-secret');
    vi.stubEnv('AWS_SESSION_TOKEN', 'lambda-role-session');
    const google = await startGoogleTokenEndpoints();
    try {
      const { credentials } = parseGcpConfig(gcpConfigJson(), 'test');
      // Only the Google endpoints move (validation pins them to googleapis.com): the metadata URLs
      // stay, and are never called, since Lambda puts the credentials in the environment.
      const local = {
        ...credentials,
        token_url: `${google.server.endpoint}/v1/token`,
        service_account_impersonation_url: `${google.server.endpoint}/v1/projects/-/serviceAccounts/${SERVICE_ACCOUNT}:generateAccessToken`,
      } as unknown as GcpExternalAccountCredentials;
      const headers = await gcpAuthClient(local).getRequestHeaders();
      expect(headers.get('authorization')).toBe('Bearer service-account-token');

      expect(google.requests.map((r) => r.path)).toEqual([
        '/v1/token',
        `/v1/projects/-/serviceAccounts/${SERVICE_ACCOUNT}:generateAccessToken`,
      ]);
      const exchange = new URLSearchParams(google.requests[0]!.body);
      expect(exchange.get('grant_type')).toBe('urn:ietf:params:oauth:grant-type:token-exchange');
      expect(exchange.get('audience')).toBe(AUDIENCE);
      expect(exchange.get('subject_token_type')).toBe('urn:ietf:params:aws:token-type:aws4_request');
      const subject = JSON.parse(decodeURIComponent(exchange.get('subject_token')!));
      expect(subject.url).toBe(
        'https://sts.eu-west-1.amazonaws.com?Action=GetCallerIdentity&Version=2011-06-15',
      );
      expect(subject.method).toBe('POST');
      const signed = Object.fromEntries(
        (subject.headers as { key: string; value: string }[]).map((h) => [h.key.toLowerCase(), h.value]),
      );
      expect(signed.authorization).toMatch(
        /^AWS4-HMAC-SHA256 Credential=ASIATESTLAMBDAROLE\/\d{8}\/eu-west-1\/sts\/aws4_request, SignedHeaders=/,
      );
      expect(signed['x-amz-security-token']).toBe('lambda-role-session');
      expect(signed['x-goog-cloud-target-resource']).toBe(AUDIENCE);
      expect(JSON.stringify(subject)).not.toContain('lambda-role-secret');

      const impersonation = google.requests[1]!;
      expect(impersonation.headers.authorization).toBe('Bearer federated-token');
      expect(JSON.parse(impersonation.body).scope).toEqual([GCP_SCOPE]);
    } finally {
      await google.server.close();
    }
  });
});
