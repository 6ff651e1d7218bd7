// Adapter capabilities → the Gateway API feature names (conformance/utils/features in gateway-api) a
// GatewayClass of that provider claims in `status.supportedFeatures`, and the conformance runner claims by
// default. One place, so what a class advertises and what conformance tests are the same thing.
// Only features whose every requirement the capabilities declare are claimed; features that need
// something the capabilities cannot say (gRPC, WebSocket, H2C, static addresses, listener isolation)
// are never claimed from here. ListenerSet and named rules need nothing of an adapter: the core merges
// ListenerSet listeners into their Gateway's load balancer and rule names are only names.

import type * as ir from '#core/ir/load-balancer.js';
import type { AnyLoadBalancerAdapter, Capabilities } from './types.js';

export type FeatureName = string;

/** Core features of the profiles Portico implements. */
const GATEWAY_CORE: readonly FeatureName[] = ['Gateway', 'ReferenceGrant'];

/** One thing a feature needs of an adapter, said so that a table can name what is missing. */
type Requirement = readonly [what: string, test: (c: Capabilities) => boolean];

const listeners = (p: ir.ListenerProtocol): Requirement => [
  `${p} listeners`,
  (c) => c.listenerProtocols.includes(p),
];
const pools = (p: ir.PoolProtocol): Requirement => [`${p} backends`, (c) => c.poolProtocols.includes(p)];
const filter = (f: ir.Filter['type']): Requirement => [`${f} filter`, (c) => c.filters.includes(f)];
const redirectStatus = (code: number): Requirement => [
  `${code} redirects`,
  (c) => c.redirect.supported && c.redirect.statusCodes.includes(code),
];
const HTTP = listeners('HTTP');
const HTTPS = listeners('HTTPS');
const REDIRECTS: Requirement = ['redirects', (c) => c.redirect.supported];
const RETRIES: Requirement = ['retries', (c) => c.retries];
const BACKEND_TLS: Requirement = ['TLS to backends', (c) => c.backendTls.supported];
const PASSTHROUGH: Requirement = ['TLS passthrough', (c) => c.tlsPassthrough];

/**
 * Each extended feature: what it stands on (a listener protocol: without it the feature is simply
 * absent) and what it needs beyond that (some of them met = partial). All met = claimed.
 */
const RULES: readonly [FeatureName, base: readonly Requirement[], needs: readonly Requirement[]][] = [
  [
    'HTTPRoute',
    [HTTP],
    [
      ['Exact paths', (c) => c.pathMatch.includes('Exact')],
      ['Prefix paths', (c) => c.pathMatch.includes('Prefix')],
      ['Exact header matches', (c) => c.headerMatch.includes('Exact')],
    ],
  ],
  ['HTTPRouteQueryParamMatching', [HTTP], [['query matches', (c) => c.queryParamMatch.includes('Exact')]]],
  ['HTTPRouteMethodMatching', [HTTP], [['method matches', (c) => c.methodMatch]]],
  ['HTTPRouteResponseHeaderModification', [HTTP], [filter('ResponseHeaderModifier')]],
  [
    'HTTPRouteBackendRequestHeaderModification',
    [HTTP],
    [filter('RequestHeaderModifier'), ['filters on one backend', (c) => c.backendFilters]],
  ],
  ['HTTPRouteHostRewrite', [HTTP], [filter('URLRewrite'), ['host rewrites', (c) => c.urlRewrite.hostname]]],
  [
    'HTTPRoutePathRewrite',
    [HTTP],
    [
      filter('URLRewrite'),
      ['full path rewrites', (c) => c.urlRewrite.path.includes('ReplaceFullPath')],
      ['prefix rewrites', (c) => c.urlRewrite.path.includes('ReplacePrefixMatch')],
    ],
  ],
  ['HTTPRouteSchemeRedirect', [HTTP], [REDIRECTS]],
  ['HTTPRoutePortRedirect', [HTTP], [REDIRECTS]],
  [
    'HTTPRoutePathRedirect',
    [HTTP],
    [
      REDIRECTS,
      ['full path redirects', (c) => c.redirect.path.includes('ReplaceFullPath')],
      ['prefix redirects', (c) => c.redirect.path.includes('ReplacePrefixMatch')],
    ],
  ],
  ['HTTPRoute303RedirectStatusCode', [HTTP], [redirectStatus(303)]],
  ['HTTPRoute307RedirectStatusCode', [HTTP], [redirectStatus(307)]],
  ['HTTPRoute308RedirectStatusCode', [HTTP], [redirectStatus(308)]],
  ['HTTPRouteRequestMirror', [HTTP], [filter('RequestMirror')]],
  [
    'HTTPRouteRequestMultipleMirrors',
    [HTTP],
    [
      filter('RequestMirror'),
      [
        'several mirrors on one route',
        (c) => c.filters.includes('RequestMirror') && (c.maxMirrorsPerRoute ?? 2) > 1,
      ],
    ],
  ],
  ['HTTPRouteRequestPercentageMirror', [HTTP], [filter('RequestMirror')]],
  ['HTTPRouteRequestTimeout', [HTTP], [['request timeouts', (c) => c.timeouts.request]]],
  ['HTTPRouteBackendTimeout', [HTTP], [['backend request timeouts', (c) => c.timeouts.backendRequest]]],
  ['TLSRoute', [listeners('TLS')], [PASSTHROUGH, pools('TLS')]],
  ['TCPRoute', [listeners('TCP')], [pools('TCP')]],
  ['UDPRoute', [listeners('UDP')], [pools('UDP')]],
  ['HTTPRouteNamedRouteRule', [HTTP], []],
  ['ListenerSet', [HTTP], []],
  [
    'HTTPRouteCORS',
    [HTTP],
    [
      filter('CORS'),
      ['subdomain wildcard origins', (c) => c.filters.includes('CORS') && c.corsOriginWildcards],
    ],
  ],
  ['HTTPRouteRetry', [HTTP], [RETRIES]],
  ['HTTPRouteRetryConnectionError', [HTTP], [RETRIES]],
  [
    'HTTPRouteRetryBackendTimeout',
    [HTTP],
    [RETRIES, ['backend request timeouts', (c) => c.timeouts.backendRequest]],
  ],
  ['BackendTLSPolicy', [HTTP], [BACKEND_TLS]],
  [
    'BackendTLSPolicySANValidation',
    [HTTP],
    [BACKEND_TLS, ['subjectAltNames checks', (c) => c.backendTls.subjectAltNames]],
  ],
  [
    'GatewayBackendClientCertificate',
    [],
    [BACKEND_TLS, ['a client certificate of the Gateway', (c) => c.backendTls.clientCertificate]],
  ],
  [
    'GatewayFrontendClientCertificateValidation',
    [HTTPS],
    [['AllowValidOnly validation', (c) => c.frontendClientValidation.includes('AllowValidOnly')]],
  ],
  [
    'GatewayFrontendClientCertificateValidationInsecureFallback',
    [HTTPS],
    [
      [
        'AllowInsecureFallback validation',
        (c) => c.frontendClientValidation.includes('AllowInsecureFallback'),
      ],
    ],
  ],
  ['GatewayHTTPSListenerDetectMisdirectedRequests', [HTTPS], [['421 answers', (c) => c.misdirectedRequests]]],
  [
    'TLSRouteModeMixed',
    [listeners('TLS')],
    [PASSTHROUGH, ['passthrough and termination on one port', (c) => c.tlsMixedModes], pools('TCP')],
  ],
];

export type FeatureSupport =
  | { support: 'supported' }
  | { support: 'partial' | 'unsupported'; missing: string[] };

/** How far an adapter with these capabilities goes towards one feature, and what it lacks. */
export function featureSupport(capabilities: Capabilities, feature: FeatureName): FeatureSupport {
  if (GATEWAY_CORE.includes(feature)) return { support: 'supported' };
  const rule = RULES.find(([name]) => name === feature);
  if (!rule) throw new Error(`no capability rule for the feature ${feature}`);
  const [, base, needs] = rule;
  const missingBase = base.filter(([, ok]) => !ok(capabilities)).map(([what]) => what);
  if (missingBase.length > 0) return { support: 'unsupported', missing: missingBase };
  const missing = needs.filter(([, ok]) => !ok(capabilities)).map(([what]) => what);
  if (missing.length === 0) return { support: 'supported' };
  return { support: missing.length < needs.length ? 'partial' : 'unsupported', missing };
}

/** The Gateway API features an adapter with these capabilities supports, sorted. */
export function supportedFeatures(capabilities: Capabilities): FeatureName[] {
  return MAPPED_FEATURES.filter((name) => featureSupport(capabilities, name).support === 'supported');
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
