// Which upstream features (conformance/utils/features) a run claims, and upstream's rules for skipping a
// test on them. By default the run claims what the GatewayClass reports in `status.supportedFeatures`
// (filled from the provider adapter's capabilities); `--features` may only narrow that set.

import type { ScenarioExpect } from './scenario-schema.js';

/** Claimed when the target reports no supportedFeatures at all: the Core features of GATEWAY-HTTP. */
export const CORE_FEATURES: readonly string[] = ['Gateway', 'HTTPRoute', 'ReferenceGrant'];

/**
 * The claimed set: the GatewayClass's supportedFeatures (Core when it reports none), narrowed to `only`
 * when given. Naming a feature the class does not support is an error: `--features` cannot widen.
 */
export function claimedFeatures(
  supported: readonly string[] | undefined,
  only: readonly string[] = [],
): Set<string> {
  const base = new Set(supported && supported.length > 0 ? supported : CORE_FEATURES);
  const wanted = only.map((f) => f.trim()).filter((f) => f !== '');
  if (wanted.length === 0) return base;
  const unsupported = wanted.filter((f) => !base.has(f));
  if (unsupported.length > 0) {
    throw new Error(
      `--features may only narrow what the GatewayClass supports; not supported: ${unsupported.join(', ')} (supported: ${[...base].sort().join(', ')})`,
    );
  }
  return new Set(wanted);
}

/** The features of a test that are not claimed (empty = the test runs). */
export function missingFeatures(required: readonly string[], claimed: ReadonlySet<string>): string[] {
  return required.filter((f) => !claimed.has(f));
}

/**
 * Why upstream would skip this test with these claims, or undefined when it runs: a required feature is not
 * claimed; a `skipIfFeatures` feature is claimed; not every `skipUnlessFeatures` feature is claimed.
 */
export function skipReason(expect: ScenarioExpect, claimed: ReadonlySet<string>): string | undefined {
  const missing = missingFeatures(expect.features, claimed);
  if (missing.length > 0) return `needs unclaimed feature(s) ${missing.join(', ')}`;
  const present = (expect.skipIfFeatures ?? []).filter((f) => claimed.has(f));
  if (present.length > 0)
    return `skipped because the implementation claims ${present.join(', ')} (skipIfFeatures)`;
  const absent = missingFeatures(expect.skipUnlessFeatures ?? [], claimed);
  if (absent.length > 0) return `skipped unless ${absent.join(', ')} claimed (skipUnlessFeatures)`;
  return undefined;
}
