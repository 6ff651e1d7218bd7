// The Gateway API feature table of docs/gateway-api.md, made from the providers' declared
// capabilities (featureSupport), so the documentation says what the adapters claim and nothing else.
// `npm run docs:features` writes it; a test fails when the page and the capabilities disagree.

import { featureSupport, MAPPED_FEATURES } from './supported-features.js';
import type { Capabilities } from './types.js';

export const FEATURE_TABLE_START = '<!-- feature-table:start (npm run docs:features) -->';
export const FEATURE_TABLE_END = '<!-- feature-table:end -->';

export interface ProviderCapabilities {
  name: string;
  capabilities: Capabilities;
}

/** A markdown table: one row per Gateway API feature, one column per provider. */
export function featureTable(providers: readonly ProviderCapabilities[]): string {
  const header = `| Feature | ${providers.map((p) => `\`${p.name}\``).join(' | ')} |`;
  const rule = `|---|${providers.map(() => '---').join('|')}|`;
  const rows = MAPPED_FEATURES.map((feature) => {
    const cells = providers.map((p) => {
      const s = featureSupport(p.capabilities, feature);
      if (s.support === 'supported') return 'supported';
      return `${s.support}: lacks ${s.missing.join(', ')}`;
    });
    return `| ${feature} | ${cells.join(' | ')} |`;
  });
  return [header, rule, ...rows].join('\n');
}

/** `page` with the text between the markers replaced by `table`; throws when a marker is missing. */
export function withFeatureTable(page: string, table: string): string {
  const start = page.indexOf(FEATURE_TABLE_START);
  const end = page.indexOf(FEATURE_TABLE_END);
  if (start < 0 || end < start) throw new Error('the page has no feature-table markers');
  return `${page.slice(0, start + FEATURE_TABLE_START.length)}\n\n${table}\n\n${page.slice(end)}`;
}
