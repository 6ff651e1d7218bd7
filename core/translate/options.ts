import type { ProviderName } from '#core/model/parameters.js';

export interface TranslateOptions {
  /** Cluster id carried by every load-balancer key. */
  cluster: string;
  /**
   * The other clusters of `cluster`'s clusterset (docs/multi-cluster.md): a ServiceImport's endpoints
   * come from EndpointSlices whose `multicluster.kubernetes.io/source-cluster` is `cluster` or one of
   * these; slices naming any other cluster are left out. Absent: the cluster is in no clusterset.
   */
  clusterSet?: readonly string[];
  /** GatewayClasses whose `spec.controllerName` equals this are Portico's. */
  controllerName: string;
  /** IngressClasses whose `spec.controller` equals this are Portico's. */
  ingressController: string;
  /**
   * Values of the legacy `kubernetes.io/ingress.class` annotation that select Portico. The annotation
   * wins over `spec.ingressClassName`, as in ingress-nginx and the AWS Load Balancer Controller.
   */
  ingressClassAnnotationValues: string[];
  /** Services whose `spec.loadBalancerClass` is `<prefix><provider>` are Portico's, e.g. `portico.dev/haproxy`. */
  loadBalancerClassPrefix: string;
  /** Services of `type: LoadBalancer` with no `loadBalancerClass` are Portico's too, with this provider (off when unset). */
  defaultServiceProvider?: ProviderName;
  /** Provider for classes that reference no LoadBalancerParameters. */
  defaultProvider: ProviderName;
  /**
   * Gateway API feature names each provider's adapter supports, written to an accepted GatewayClass's
   * `status.supportedFeatures` (the caller derives them from the adapters: adapters/supported-features.ts).
   * A provider without an entry gets no supportedFeatures.
   */
  supportedFeatures?: Partial<Record<ProviderName, readonly string[]>>;
}

export const DEFAULT_OPTIONS: TranslateOptions = {
  cluster: 'local',
  controllerName: 'portico.dev/gateway-controller',
  ingressController: 'portico.dev/ingress-controller',
  ingressClassAnnotationValues: ['portico'],
  loadBalancerClassPrefix: 'portico.dev/',
  defaultProvider: 'haproxy',
};

export function withDefaults(options: Partial<TranslateOptions> = {}): TranslateOptions {
  return { ...DEFAULT_OPTIONS, ...options };
}
