// Which upstream features (conformance/utils/features) the run claims. A test whose `features` are not all
// claimed is skipped, as upstream does.

/** Claimed by default: the Core features of the GATEWAY-HTTP profile Portico targets first. */
export const CORE_FEATURES: readonly string[] = ['Gateway', 'HTTPRoute', 'ReferenceGrant'];

/** `--features A,B` adds to the Core set (names as upstream spells them, e.g. `HTTPRouteQueryParamMatching`). */
export function claimedFeatures(extra: readonly string[] = []): Set<string> {
  return new Set([...CORE_FEATURES, ...extra.map((f) => f.trim()).filter((f) => f !== '')]);
}

/** The features of a test that are not claimed (empty = the test runs). */
export function missingFeatures(required: readonly string[], claimed: ReadonlySet<string>): string[] {
  return required.filter((f) => !claimed.has(f));
}
