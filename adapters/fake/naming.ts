import { parseLbKey } from '#core/ir/lb-key.js';
import type { LbKey } from '#core/ir/load-balancer.js';
import { elbv2Name } from '#core/naming/elbv2-name.js';
import { haproxyId } from '#core/naming/haproxy-id.js';
import { formatAddress } from '#core/plan/address.js';
import type { FakeKind } from './resources.js';

export const FAKE_ADAPTER = 'fake';

/** The fake borrows ELBv2's naming (32 characters, hash suffix), the strictest of the real ones. */
export function fakeLbName(key: LbKey): string {
  const parsed = parseLbKey(key);
  if (!parsed) return elbv2Name([key]);
  return elbv2Name([parsed.namespace ?? '', parsed.name], { hidden: [parsed.cluster, parsed.kind] });
}

export function fakeAddress(kind: FakeKind, lbName: string, sub?: string): string {
  return formatAddress({ adapter: FAKE_ADAPTER, kind, name: lbName, ...(sub !== undefined ? { sub } : {}) });
}

/** IR ids hold `/`; address segments cannot. */
export function fakeSub(...ids: string[]): string {
  return haproxyId(ids);
}
