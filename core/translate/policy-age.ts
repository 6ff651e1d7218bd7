/**
 * The Gateway API's precedence between policies that select the same target: the older by
 * creation timestamp first (a missing timestamp counts as the newest), then the first by name.
 */
export function comparePolicyAge(
  a: { metadata: { creationTimestamp?: string | undefined; name: string } },
  b: { metadata: { creationTimestamp?: string | undefined; name: string } },
): number {
  const ta = a.metadata.creationTimestamp;
  const tb = b.metadata.creationTimestamp;
  if (ta !== tb) {
    if (ta === undefined) return 1;
    if (tb === undefined) return -1;
    // RFC 3339 in UTC, as Kubernetes writes it, orders as text.
    return ta < tb ? -1 : 1;
  }
  return a.metadata.name < b.metadata.name ? -1 : a.metadata.name > b.metadata.name ? 1 : 0;
}
