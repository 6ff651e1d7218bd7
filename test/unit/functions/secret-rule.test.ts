import { describe, expect, it } from 'vitest';
import { createHaproxyAdapter } from '#adapters/haproxy/adapter.js';
import { needsPrivateKeys } from '#events/sanitize-object.js';
import { FUNCTIONS_SECRET_RULE } from '#functions/shared/secret-rule.js';
import { cloudAdapters } from '#functions/wiring/cloud-adapters.js';

describe('the Secret rule of the deployed functions', () => {
  it('keeps no private key: none of the providers the functions program takes certificates from Secrets', async () => {
    const providers = Object.values(await cloudAdapters({ AWS_REGION: 'eu-west-1' })).map((a) =>
      a.capabilities(),
    );
    expect(providers.map((c) => c.certificateSource)).toEqual(['reference']);
    expect(FUNCTIONS_SECRET_RULE.keepPrivateKeys).toBe(needsPrivateKeys(providers));
  });

  it('would need private keys with a provider that terminates TLS from Secrets (HAProxy)', () => {
    const haproxy = createHaproxyAdapter({ stateDir: '/nonexistent', addressPool: '127.0.0.1' });
    expect(needsPrivateKeys([haproxy.capabilities()])).toBe(true);
  });
});
