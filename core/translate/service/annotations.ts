// Every Service annotation the Service translator reads (the health-check ones are listed in
// backend/health-check.ts). The foreign ones are honoured so that a Service written for another
// controller keeps its meaning, above all when it asks to be internal or restricted.

export const SERVICE_ANNOTATIONS = {
  /** Name of a LoadBalancerParameters in the Service's namespace. */
  parameters: 'portico.dev/parameters',
  /** `internet-facing` or `internal`. */
  scheme: 'portico.dev/scheme',
  /** AWS Load Balancer Controller: `internal` or `internet-facing`. */
  awsScheme: 'service.beta.kubernetes.io/aws-load-balancer-scheme',
  /** Legacy in-tree AWS provider: any value but `false` means internal. */
  awsInternal: 'service.beta.kubernetes.io/aws-load-balancer-internal',
  /** GKE: `Internal` asks for an internal passthrough load balancer. */
  gkeType: 'networking.gke.io/load-balancer-type',
  /** GKE's older spelling of the same. */
  gkeTypeLegacy: 'cloud.google.com/load-balancer-type',
  /** Comma-separated CIDRs; used only when `spec.loadBalancerSourceRanges` is empty, as in-tree providers do. */
  sourceRanges: 'service.beta.kubernetes.io/load-balancer-source-ranges',
} as const;

/** The notice field path of an annotation. */
export function annotationField(name: string): string {
  return `metadata.annotations[${name}]`;
}
