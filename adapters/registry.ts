// The providers Portico can program, by the provider name translate gives each load balancer. The
// only list of them: `portico plan` and `portico dev` and the conformance target take their providers
// from here. The functions' wiring (functions/wiring/cloud-adapters.ts) does not: gcp-compute here
// would put google-gax behind an import the AWS path can take. A provider is added by copying an adapter folder and
// adding one line below. Loading this file loads only names and capabilities (see AdapterDescriptor).

import { awsElbv2 } from './aws-elbv2/index.js';
import { gcpCompute } from './gcp-compute/index.js';
import { haproxy } from './haproxy/index.js';

export const PROVIDERS = {
  haproxy,
  'aws-elbv2': awsElbv2,
  'gcp-compute': gcpCompute,
} as const;

export type RegisteredProvider = keyof typeof PROVIDERS;

/** The registered provider names, sorted. */
export const providerNames = (): RegisteredProvider[] =>
  Object.keys(PROVIDERS).filter(isRegisteredProvider).sort();

export function isRegisteredProvider(name: string): name is RegisteredProvider {
  return Object.hasOwn(PROVIDERS, name);
}
