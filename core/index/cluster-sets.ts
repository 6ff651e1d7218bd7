import { DNS_LABEL } from '#core/model/meta.js';

/** The clustersets configuration is unusable; the message says which part and why. */
export class InvalidClusterSetsError extends Error {
  override readonly name = 'InvalidClusterSetsError';
}

/**
 * Which clusters form a clusterset (KEP-1645): the clusters whose exported EndpointSlices make up a
 * multi-cluster service, so that a Gateway in one of them reaches the endpoints of all of them. A
 * cluster is in at most one clusterset, as in the MCS API; a cluster in none sees only its own.
 */
export class ClusterSets {
  readonly #peers = new Map<string, readonly string[]>();

  constructor(sets: readonly (readonly string[])[] = []) {
    for (const [i, set] of sets.entries()) {
      const members = new Set<string>();
      for (const cluster of set) {
        if (cluster.length > 63 || !DNS_LABEL.test(cluster))
          throw new InvalidClusterSetsError(
            `clusterset ${i + 1}: ${JSON.stringify(cluster)} is not a cluster id (an RFC 1123 label)`,
          );
        if (members.has(cluster) || this.#peers.has(cluster))
          throw new InvalidClusterSetsError(
            `cluster ${cluster} is listed twice (a cluster is in one clusterset)`,
          );
        members.add(cluster);
      }
      if (members.size < 2)
        throw new InvalidClusterSetsError(
          `clusterset ${i + 1} has ${members.size} cluster(s): it needs two or more`,
        );
      for (const cluster of members)
        this.#peers.set(cluster, [...members].filter((c) => c !== cluster).sort());
    }
  }

  /**
   * Reads `a,b;c,d` (clustersets separated by `;`, their clusters by `,`; blanks ignored), as the
   * functions' `PORTICO_CLUSTER_SETS` gives it (`portico dev` reads one cluster: no clusterset). Empty: no clusterset.
   */
  static parse(text: string | undefined): ClusterSets {
    const sets = (text ?? '')
      .split(';')
      .map((set) =>
        set
          .split(',')
          .map((c) => c.trim())
          .filter((c) => c !== ''),
      )
      .filter((set) => set.length > 0);
    return new ClusterSets(sets);
  }

  /** The other clusters of `cluster`'s clusterset, sorted; [] when it is in none. */
  peersOf(cluster: string): readonly string[] {
    return this.#peers.get(cluster) ?? [];
  }
}
