import { describe, expect, it } from 'vitest';
import { fake } from '#adapters/fake/index.js';
import { isRegisteredProvider, PROVIDERS, providerNames } from '#adapters/registry.js';
import { PROVIDERS as TRANSLATABLE } from '#core/model/parameters.js';
import { DEFAULT_PARAMETERS, parametersFor } from '#test/support/loose-ir.js';
import { loadBalancer } from './ir-fixture.js';

describe('adapters: registry', () => {
  it('lists each provider under its own name, one translate can choose', () => {
    expect(providerNames()).toEqual(['aws-elbv2', 'gcp-compute', 'haproxy']);
    for (const name of providerNames()) {
      expect(PROVIDERS[name].name).toBe(name);
      expect(TRANSLATABLE).toContain(name);
    }
    expect(isRegisteredProvider('haproxy')).toBe(true);
    expect(isRegisteredProvider('toString')).toBe(false);
    expect(isRegisteredProvider('fake')).toBe(false);
  });

  it('gives every adapter, the fake included, a pure half that renders and declares what it can do', async () => {
    for (const descriptor of [...Object.values(PROVIDERS), fake]) {
      const pure = await descriptor.pure();
      expect(pure.name).toBe(descriptor.name);
      expect(pure.capabilities()).toEqual(descriptor.capabilities);
      const rendered = pure.render(
        loadBalancer({ providerParameters: DEFAULT_PARAMETERS, ...parametersFor(descriptor.name, {}) }),
      );
      // gcp-compute warns that endpoints without a zone go to the first NEG zone: errors are what count.
      expect(
        rendered.notices.filter((n) => n.severity === 'error' || descriptor.name !== 'gcp-compute'),
      ).toEqual([]);
      expect(rendered.resources.length).toBeGreaterThan(0);
      for (const r of rendered.resources) expect(r.address.startsWith(`${descriptor.name}/`)).toBe(true);
    }
  });
});
