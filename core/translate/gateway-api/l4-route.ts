import type { TCPRoute, TLSRoute, UDPRoute } from '#core/model/gateway-api.js';
import type { PoolUse } from '../backend/service-pool.js';
import type { TranslateContext } from '../context.js';
import type { RulesResult } from './rules.js';
import { translateRules } from './rules.js';

/**
 * TLSRoute, TCPRoute and UDPRoute carry no request matches: every rule's backends join one weighted
 * split. TLSRoutes on a passthrough listener forward the TLS stream as-is (`TLS` pools); on a
 * terminating listener, and for TCPRoute, the backend sees plain TCP.
 */
export function translateL4Route(
  ctx: TranslateContext,
  route: TLSRoute | TCPRoute | UDPRoute,
  use: PoolUse,
): RulesResult {
  const backendRefs = route.spec.rules.flatMap((r) => r.backendRefs ?? []);
  return translateRules(
    ctx,
    { kind: route.kind, namespace: route.metadata.namespace!, name: route.metadata.name },
    [{ matches: [{ headers: [], queryParams: [] }], backendRefs, prefixMatchOnly: false }],
    use,
  );
}
