import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  FEATURE_TABLE_END,
  FEATURE_TABLE_START,
  featureTable,
  withFeatureTable,
} from '#adapters/feature-table.js';
import { HAPROXY_CAPABILITIES } from '#adapters/haproxy/capabilities.js';
import { PROVIDERS, providerNames } from '#adapters/registry.js';
import { featureSupport, MAPPED_FEATURES, supportedFeatures } from '#adapters/supported-features.js';

const page = join(import.meta.dirname, '..', '..', '..', 'docs', 'gateway-api.md');

describe('adapters: the feature table of docs/gateway-api.md', () => {
  it('is what the registered providers declare (npm run docs:features rewrites it)', () => {
    const providers = providerNames().map((name) => ({ name, capabilities: PROVIDERS[name].capabilities }));
    const text = readFileSync(page, 'utf8');
    expect(text).toBe(withFeatureTable(text, featureTable(providers)));
    for (const name of providerNames()) expect(text).toContain(`\`${name}\``);
  });

  it('has a row per feature, and "supported" exactly where the class claims the feature', () => {
    const table = featureTable([{ name: 'haproxy', capabilities: HAPROXY_CAPABILITIES }]);
    const rows = table.split('\n').slice(2);
    expect(rows.map((r) => r.split(' | ')[0]!.slice(2))).toEqual([...MAPPED_FEATURES]);
    const claimed = rows.filter((r) => r.endsWith('| supported |')).map((r) => r.split(' | ')[0]!.slice(2));
    expect(claimed).toEqual(supportedFeatures(HAPROXY_CAPABILITIES));
  });

  it('says what a provider lacks, and calls it partial only when some of the needs are met', () => {
    const noMixing = { ...HAPROXY_CAPABILITIES, tlsMixedModes: false };
    expect(featureSupport(noMixing, 'TLSRouteModeMixed')).toEqual({
      support: 'partial',
      missing: ['passthrough and termination on one port'],
    });
    const noTls = {
      ...noMixing,
      listenerProtocols: HAPROXY_CAPABILITIES.listenerProtocols.filter((p) => p !== 'TLS'),
    };
    expect(featureSupport(noTls, 'TLSRouteModeMixed')).toEqual({
      support: 'unsupported',
      missing: ['TLS listeners'],
    });
    expect(() => featureSupport(noTls, 'NoSuchFeature')).toThrow(/NoSuchFeature/);
  });

  it('refuses a page without its markers', () => {
    expect(() => withFeatureTable('# page\n', '| x |')).toThrow(/markers/);
    const page = `a\n${FEATURE_TABLE_START}\nold\n${FEATURE_TABLE_END}\nb`;
    expect(withFeatureTable(page, 'new')).toBe(`a\n${FEATURE_TABLE_START}\n\nnew\n\n${FEATURE_TABLE_END}\nb`);
  });
});
