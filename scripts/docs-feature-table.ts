// Rewrites the feature table in docs/gateway-api.md from the registered providers' capabilities.

import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { featureTable, withFeatureTable } from '#adapters/feature-table.js';
import { PROVIDERS, providerNames } from '#adapters/registry.js';

const page = join(import.meta.dirname, '..', 'docs', 'gateway-api.md');
const providers = providerNames().map((name) => ({ name, capabilities: PROVIDERS[name].capabilities }));
writeFileSync(page, withFeatureTable(readFileSync(page, 'utf8'), featureTable(providers)));
