import { describe, expect, it } from 'vitest';
import { readIngestConfig } from '#functions/shared/ingest-config.js';

const secret = 's'.repeat(40);
const env = (config: unknown) => ({ PORTICO_INGEST_CONFIG: JSON.stringify(config) });

describe('readIngestConfig', () => {
  it('reads keys and tokens, with a default window', () => {
    expect(readIngestConfig(env({ signingKeys: [{ cluster: 'prod-eu-1', secret }] }))).toEqual({
      signingKeys: [{ cluster: 'prod-eu-1', secret }],
      bearerTokens: [],
      toleranceSeconds: 300,
    });
  });

  it.each([
    [{}, /is not set/],
    [{ PORTICO_INGEST_CONFIG: '{' }, /not JSON/],
    [env({}), /signingKeys or bearerTokens/],
    [env({ bearerTokens: [{ cluster: 'lab', token: 'short' }] }), /bearerTokens\.0\.token/],
    [env({ signingKeys: [{ cluster: 'Lab_1', secret }] }), /signingKeys\.0\.cluster/],
  ])('refuses %j', (e, message) => {
    expect(() => readIngestConfig(e)).toThrow(message);
  });

  it('never echoes a secret in its errors', () => {
    const leaked = 'short-but-secret';
    expect(() => readIngestConfig(env({ signingKeys: [{ cluster: 'lab', secret: leaked }] }))).toThrow(
      expect.objectContaining({ message: expect.not.stringContaining(leaked) }),
    );
  });
});
