export interface NameOptions {
  /** Readable leading word; defaults to `k8s` (ELBv2, GCP) or none (HAProxy). Part of the hash. */
  prefix?: string;
  /**
   * Inputs that make the name unique but are not shown, e.g. the cluster and the object kind: they
   * go into the hash only, leaving the few readable characters to the namespace and name.
   */
  hidden?: readonly string[];
}
