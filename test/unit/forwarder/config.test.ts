import { describe, expect, it } from 'vitest';
import { ConfigError, readForwarderConfig } from '#forwarder/config.js';

const SECRET = 'a-signing-secret-of-at-least-32-characters';
const base = {
  PORTICO_ENDPOINT: 'https://abc.execute-api.eu-west-1.amazonaws.com/',
  PORTICO_CLUSTER_ID: 'prod-eu-1',
  PORTICO_SIGNING_SECRET: SECRET,
};

function error(env: Record<string, string | undefined>, readFile?: (p: string) => string): string {
  try {
    readForwarderConfig(env, readFile);
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return (e as Error).message;
  }
  throw new Error('no error');
}

describe('readForwarderConfig', () => {
  it('reads the environment, with defaults', () => {
    expect(readForwarderConfig(base)).toEqual({
      endpoint: 'https://abc.execute-api.eu-west-1.amazonaws.com',
      cluster: 'prod-eu-1',
      signingSecret: SECRET,
      httpPort: 8080,
      metricsPort: 9090,
      forwardPrivateKeys: false,
      maxPending: 50_000,
      statusPollMs: 5_000,
      controllerName: 'portico.dev/gateway-controller',
    });
    expect(
      readForwarderConfig({
        ...base,
        PORTICO_HTTP_PORT: '18080',
        PORTICO_METRICS_PORT: '19090',
        PORTICO_FORWARD_PRIVATE_KEYS: 'true',
        PORTICO_MAX_PENDING: '1000',
        PORTICO_STATUS_POLL_MS: '0',
        PORTICO_KINDS: 'Gateway, HTTPRoute',
        KUBECONFIG: '/k',
      }),
    ).toMatchObject({
      httpPort: 18080,
      metricsPort: 19090,
      forwardPrivateKeys: true,
      maxPending: 1000,
      statusPollMs: 0,
      kinds: ['Gateway', 'HTTPRoute'],
      kubeconfig: '/k',
    });
  });

  it('turns the pod admission webhook on with its certificate and key files, on 8443 by default', () => {
    const files = { PORTICO_WEBHOOK_CERT_FILE: '/tls/tls.crt', PORTICO_WEBHOOK_KEY_FILE: '/tls/tls.key' };
    expect(readForwarderConfig({ ...base, ...files }).webhook).toEqual({
      port: 8443,
      certFile: '/tls/tls.crt',
      keyFile: '/tls/tls.key',
    });
    expect(readForwarderConfig({ ...base, ...files, PORTICO_WEBHOOK_PORT: '9443' }).webhook?.port).toBe(9443);
    expect(error({ ...base, PORTICO_WEBHOOK_CERT_FILE: '/tls/tls.crt' })).toMatch(
      /set both PORTICO_WEBHOOK_CERT_FILE and PORTICO_WEBHOOK_KEY_FILE/,
    );
    expect(error({ ...base, ...files, PORTICO_WEBHOOK_PORT: 'https' })).toMatch(
      /PORTICO_WEBHOOK_PORT must be a port number/,
    );
  });

  it('reads the secret from a file', () => {
    const env = { ...base, PORTICO_SIGNING_SECRET: undefined, PORTICO_SIGNING_SECRET_FILE: '/run/secret' };
    expect(readForwarderConfig(env, (p) => (p === '/run/secret' ? `${SECRET}\n` : '')).signingSecret).toBe(
      SECRET,
    );
  });

  it('names every variable that is missing or wrong, in one error', () => {
    const msg = error({ PORTICO_HTTP_PORT: '99999', PORTICO_FORWARD_PRIVATE_KEYS: 'yes' });
    expect(msg).toContain('PORTICO_ENDPOINT is required');
    expect(msg).toContain('PORTICO_CLUSTER_ID is required');
    expect(msg).toContain('PORTICO_SIGNING_SECRET (or PORTICO_SIGNING_SECRET_FILE) is required');
    expect(msg).toContain('PORTICO_HTTP_PORT must be a port number');
    expect(msg).toContain('PORTICO_FORWARD_PRIVATE_KEYS must be true or false');
  });

  it('refuses bad values with the variable named', () => {
    expect(error({ ...base, PORTICO_ENDPOINT: 'ftp://x' })).toMatch(
      /PORTICO_ENDPOINT must be an http\(s\) URL/,
    );
    expect(error({ ...base, PORTICO_CLUSTER_ID: 'Prod_EU' })).toMatch(
      /PORTICO_CLUSTER_ID must be an RFC 1123 label/,
    );
    expect(error({ ...base, PORTICO_KINDS: 'Gateway,Deployment' })).toMatch(
      /PORTICO_KINDS: not kinds Portico reads: Deployment/,
    );
    expect(error({ ...base, PORTICO_MAX_PENDING: '10' })).toMatch(/PORTICO_MAX_PENDING must be an integer/);
    expect(error({ ...base, PORTICO_SIGNING_SECRET_FILE: '/f' })).toMatch(
      /set only one of PORTICO_SIGNING_SECRET and PORTICO_SIGNING_SECRET_FILE/,
    );
    expect(
      error({ ...base, PORTICO_SIGNING_SECRET: undefined, PORTICO_SIGNING_SECRET_FILE: '/nope' }, () => {
        throw Object.assign(new Error('x'), { code: 'ENOENT' });
      }),
    ).toMatch(/PORTICO_SIGNING_SECRET_FILE: cannot read \/nope \(ENOENT\)/);
  });

  it('never echoes the secret', () => {
    const short = 'too-short-secret';
    const msg = error({ ...base, PORTICO_SIGNING_SECRET: short });
    expect(msg).toMatch(/PORTICO_SIGNING_SECRET: the signing secret must be at least 32 characters/);
    expect(msg).not.toContain(short);
    const fromFile = error(
      { ...base, PORTICO_SIGNING_SECRET: undefined, PORTICO_SIGNING_SECRET_FILE: '/f' },
      () => short,
    );
    expect(fromFile).not.toContain(short);
  });
});
