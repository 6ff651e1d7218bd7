// Adapter capabilities → the Gateway API feature names (conformance/utils/features in gateway-api) a
// GatewayClass of that provider claims in `status.supportedFeatures`, and the conformance runner claims by
// default. One place, so what a class advertises and what conformance tests are the same thing.
// Only features whose every requirement the capabilities declare are claimed; features that need
// something the capabilities cannot say (gRPC, WebSocket, H2C, static addresses, listener isolation)
// are never claimed from here. ListenerSet and named rules need nothing of an adapter: the core merges
// ListenerSet listeners into their Gateway's load balancer and rule names are only names.

import type { AnyLoadBalancerAdapter, Capabilities } from './types.js';

export type FeatureName = string;

/** Core features of the profiles Portico implements. */
const GATEWAY_CORE: readonly FeatureName[] = ['Gateway', 'ReferenceGrant'];

/** Each extended feature with the capability test that makes it honest. */
const RULES: readonly [FeatureName, (c: Capabilities) => boolean][] = [
  [
    'HTTPRoute',
    (c) =>
      hasHttp(c) &&
      c.pathMatch.includes('Exact') &&
      c.pathMatch.includes('Prefix') &&
      c.headerMatch.includes('Exact'),
  ],
  ['HTTPRouteQueryParamMatching', (c) => hasHttp(c) && c.queryParamMatch.includes('Exact')],
  ['HTTPRouteMethodMatching', (c) => hasHttp(c) && c.methodMatch],
  ['HTTPRouteResponseHeaderModification', (c) => hasHttp(c) && c.filters.includes('ResponseHeaderModifier')],
  [
    'HTTPRouteBackendRequestHeaderModification',
    (c) => hasHttp(c) && c.backendFilters && c.filters.includes('RequestHeaderModifier'),
  ],
  ['HTTPRouteHostRewrite', (c) => hasHttp(c) && c.filters.includes('URLRewrite') && c.urlRewrite.hostname],
  [
    'HTTPRoutePathRewrite',
    (c) =>
      hasHttp(c) &&
      c.filters.includes('URLRewrite') &&
      c.urlRewrite.path.includes('ReplaceFullPath') &&
      c.urlRewrite.path.includes('ReplacePrefixMatch'),
  ],
  ['HTTPRouteSchemeRedirect', (c) => hasHttp(c) && c.redirect.supported],
  ['HTTPRoutePortRedirect', (c) => hasHttp(c) && c.redirect.supported],
  [
    'HTTPRoutePathRedirect',
    (c) =>
      hasHttp(c) &&
      c.redirect.supported &&
      c.redirect.path.includes('ReplaceFullPath') &&
      c.redirect.path.includes('ReplacePrefixMatch'),
  ],
  [
    'HTTPRoute303RedirectStatusCode',
    (c) => hasHttp(c) && c.redirect.supported && c.redirect.statusCodes.includes(303),
  ],
  [
    'HTTPRoute307RedirectStatusCode',
    (c) => hasHttp(c) && c.redirect.supported && c.redirect.statusCodes.includes(307),
  ],
  [
    'HTTPRoute308RedirectStatusCode',
    (c) => hasHttp(c) && c.redirect.supported && c.redirect.statusCodes.includes(308),
  ],
  ['HTTPRouteRequestMirror', (c) => hasHttp(c) && c.filters.includes('RequestMirror')],
  ['HTTPRouteRequestMultipleMirrors', (c) => hasHttp(c) && c.filters.includes('RequestMirror')],
  ['HTTPRouteRequestPercentageMirror', (c) => hasHttp(c) && c.filters.includes('RequestMirror')],
  ['HTTPRouteRequestTimeout', (c) => hasHttp(c) && c.timeouts.request],
  ['HTTPRouteBackendTimeout', (c) => hasHttp(c) && c.timeouts.backendRequest],
  [
    'TLSRoute',
    (c) => c.listenerProtocols.includes('TLS') && c.tlsPassthrough && c.poolProtocols.includes('TLS'),
  ],
  ['TCPRoute', (c) => c.listenerProtocols.includes('TCP') && c.poolProtocols.includes('TCP')],
  ['UDPRoute', (c) => c.listenerProtocols.includes('UDP') && c.poolProtocols.includes('UDP')],
  ['HTTPRouteNamedRouteRule', hasHttp],
  ['ListenerSet', hasHttp],
  ['HTTPRouteCORS', (c) => hasHttp(c) && c.filters.includes('CORS')],
  ['HTTPRouteRetry', (c) => hasHttp(c) && c.retries],
  ['HTTPRouteRetryConnectionError', (c) => hasHttp(c) && c.retries],
  ['HTTPRouteRetryBackendTimeout', (c) => hasHttp(c) && c.retries && c.timeouts.backendRequest],
  ['BackendTLSPolicy', (c) => hasHttp(c) && c.backendTls.supported],
  [
    'BackendTLSPolicySANValidation',
    (c) => hasHttp(c) && c.backendTls.supported && c.backendTls.subjectAltNames,
  ],
  ['GatewayBackendClientCertificate', (c) => c.backendTls.supported && c.backendTls.clientCertificate],
  [
    'GatewayFrontendClientCertificateValidation',
    (c) => c.listenerProtocols.includes('HTTPS') && c.frontendClientValidation.includes('AllowValidOnly'),
  ],
  [
    'GatewayFrontendClientCertificateValidationInsecureFallback',
    (c) =>
      c.listenerProtocols.includes('HTTPS') && c.frontendClientValidation.includes('AllowInsecureFallback'),
  ],
  [
    'GatewayHTTPSListenerDetectMisdirectedRequests',
    (c) => c.listenerProtocols.includes('HTTPS') && c.misdirectedRequests,
  ],
  [
    'TLSRouteModeMixed',
    (c) =>
      c.listenerProtocols.includes('TLS') &&
      c.tlsPassthrough &&
      c.tlsMixedModes &&
      c.poolProtocols.includes('TCP'),
  ],
];

function hasHttp(c: Capabilities): boolean {
  return c.listenerProtocols.includes('HTTP');
}

/** The Gateway API features an adapter with these capabilities supports, sorted. */
export function supportedFeatures(capabilities: Capabilities): FeatureName[] {
  return [...GATEWAY_CORE, ...RULES.filter(([, ok]) => ok(capabilities)).map(([name]) => name)].sort();
}

/**
 * What each provider's GatewayClasses claim, for the adapters a pipeline programs with
 * (TranslateOptions.supportedFeatures): a class whose provider has no adapter here claims nothing.
 */
export function supportedFeaturesOf(
  adapters: Readonly<Record<string, AnyLoadBalancerAdapter>>,
): Record<string, FeatureName[]> {
  return Object.fromEntries(
    Object.entries(adapters).map(([provider, adapter]) => [
      provider,
      supportedFeatures(adapter.capabilities()),
    ]),
  );
}

/** Every feature name this mapping can claim (for reports: what is unsupported). */
export const MAPPED_FEATURES: readonly FeatureName[] = [
  ...GATEWAY_CORE,
  ...RULES.map(([name]) => name),
].sort();
