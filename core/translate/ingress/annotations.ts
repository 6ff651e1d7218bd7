// Every annotation the Ingress translator reads, in one place.

export const INGRESS_ANNOTATIONS = {
  /** Legacy class selection; wins over `spec.ingressClassName`, as in ingress-nginx and the AWS controller. */
  legacyClass: 'kubernetes.io/ingress.class',
  /** On an IngressClass: `"true"` makes it the class of Ingresses that name none. */
  defaultClass: 'ingressclass.kubernetes.io/is-default-class',
  /** A DNS label: Ingresses of one class with the same group share one load balancer. */
  group: 'portico.dev/group',
  /** `internet-facing` or `internal`, when the class parameters do not decide. */
  scheme: 'portico.dev/scheme',
} as const;

/** The notice field path of an annotation. */
export function annotationField(name: string): string {
  return `metadata.annotations[${name}]`;
}
