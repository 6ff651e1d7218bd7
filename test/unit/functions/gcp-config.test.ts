import { describe, expect, it } from 'vitest';
import { parseGcpConfig } from '#functions/wiring/gcp-config.js';
import { AUDIENCE, awsCredentialConfig, gcpConfigJson } from '#test/support/gcp-credentials.js';

const SOURCE = 'SSM parameter /portico/test/gcp-config';
const parse = (raw: string) => parseGcpConfig(raw, SOURCE);
const withCredentials = (patch: (c: Record<string, unknown>) => void) => {
  const c = awsCredentialConfig();
  patch(c);
  return gcpConfigJson('shop-prod-123', c);
};
const withSource = (patch: (s: Record<string, unknown>) => void) =>
  withCredentials((c) => patch(c.credential_source as Record<string, unknown>));

describe('parseGcpConfig', () => {
  it('takes the project and the AWS external-account configuration gcloud writes', () => {
    const config = parse(gcpConfigJson());
    expect(config.project).toBe('shop-prod-123');
    expect(config.credentials).toEqual(awsCredentialConfig());
    expect(config.credentials.audience).toBe(AUDIENCE);
  });

  it('takes the minimal form (no impersonation, no metadata URLs: Lambda has its credentials in the environment)', () => {
    const config = parse(
      withCredentials((c) => {
        delete c.service_account_impersonation_url;
        delete c.universe_domain;
        delete c.token_url;
        c.credential_source = {
          environment_id: 'aws1',
          regional_cred_verification_url:
            'https://sts.{region}.amazonaws.com?Action=GetCallerIdentity&Version=2011-06-15',
        };
      }),
    );
    expect(config.credentials.service_account_impersonation_url).toBeUndefined();
  });

  it('refuses a service-account key, with its own message and without echoing the key', () => {
    const key = {
      type: 'service_account',
      project_id: 'shop-prod-123',
      private_key_id: 'abc',
      private_key: '-----BEGIN PRIVATE KEY-----\nSECRET-MATERIAL\n-----END PRIVATE KEY-----\n',
      client_email: 'x@shop-prod-123.iam.gserviceaccount.com',
    };
    const raw = JSON.stringify({ project: 'shop-prod-123', credentials: key });
    expect(() => parse(raw)).toThrow(
      `${SOURCE}: credentials: a service-account key is refused; Portico takes no long-lived Google keys`,
    );
    expect(() => parse(raw)).toThrow(
      expect.objectContaining({ message: expect.not.stringContaining('SECRET') }),
    );
    // a private key under another type is refused the same way
    expect(() => parse(withCredentials((c) => (c.private_key = 'SECRET')))).toThrow(
      /service-account key is refused/,
    );
  });

  it.each([
    ['not JSON', '{', `${SOURCE} is not JSON`],
    [
      'an unknown top-level key',
      JSON.stringify({ project: 'shop-prod-123', credentials: awsCredentialConfig(), region: 'x' }),
      `${SOURCE}: unknown key region`,
    ],
    ['a bad project', gcpConfigJson('Shop'), `${SOURCE}.project: not a GCP project id`],
    ['no credentials', JSON.stringify({ project: 'shop-prod-123' }), `${SOURCE}.credentials: required`],
    [
      'credentials that are not an object',
      JSON.stringify({ project: 'shop-prod-123', credentials: 'x' }),
      `${SOURCE}: credentials: not an object`,
    ],
    [
      'another type',
      withCredentials((c) => (c.type = 'authorized_user')),
      `${SOURCE}: credentials.type: must be external_account (a Workload Identity Federation configuration), not authorized_user`,
    ],
    [
      'a workforce pool audience',
      withCredentials(
        (c) => (c.audience = '//iam.googleapis.com/locations/global/workforcePools/staff/providers/okta'),
      ),
      `${SOURCE}: credentials.audience: not a workload identity pool provider`,
    ],
    [
      'an OIDC subject token type',
      withCredentials((c) => (c.subject_token_type = 'urn:ietf:params:oauth:token-type:jwt')),
      `${SOURCE}: credentials.subject_token_type: must be urn:ietf:params:aws:token-type:aws4_request`,
    ],
    [
      'another token URL',
      withCredentials((c) => (c.token_url = 'https://sts.example.com/v1/token')),
      `${SOURCE}: credentials.token_url: must be https://sts.googleapis.com/v1/token`,
    ],
    [
      'another impersonation URL',
      withCredentials(
        (c) => (c.service_account_impersonation_url = 'https://example.com/x:generateAccessToken'),
      ),
      `${SOURCE}: credentials.service_account_impersonation_url: not an iamcredentials generateAccessToken URL`,
    ],
    [
      'an unknown credentials key',
      withCredentials((c) => (c.client_secret = 'x')),
      `${SOURCE}: credentials: unknown key client_secret`,
    ],
    [
      'a file credential source',
      withCredentials((c) => (c.credential_source = { file: '/var/run/token' })),
      `${SOURCE}: credentials.credential_source: not an AWS credential source`,
    ],
    [
      'an executable credential source',
      withCredentials((c) => (c.credential_source = { executable: { command: 'x' } })),
      `${SOURCE}: credentials.credential_source: not an AWS credential source`,
    ],
    [
      'aws2',
      withSource((s) => (s.environment_id = 'aws2')),
      `${SOURCE}: credentials.credential_source.environment_id: must be aws1`,
    ],
    [
      'a metadata URL elsewhere',
      withSource((s) => (s.url = 'http://attacker.example/latest/x')),
      `${SOURCE}: credentials.credential_source.url: not an EC2 metadata URL`,
    ],
    [
      'another verification URL',
      withSource((s) => (s.regional_cred_verification_url = 'https://example.com/?Action=GetCallerIdentity')),
      `${SOURCE}: credentials.credential_source.regional_cred_verification_url: must be https://sts.{region}.amazonaws.com`,
    ],
    [
      'an unknown credential source key',
      withSource((s) => (s.format = {})),
      `${SOURCE}: credentials.credential_source: unknown key format`,
    ],
    [
      'a token lifetime over 12 h',
      withCredentials((c) => (c.service_account_impersonation = { token_lifetime_seconds: 86_400 })),
      `${SOURCE}: credentials.service_account_impersonation.token_lifetime_seconds`,
    ],
  ])('refuses %s', (_, raw, message) => {
    expect(() => parse(raw)).toThrow(message);
  });
});
