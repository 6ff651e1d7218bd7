// Reserved IP addresses (global or regional): a given IP literal or a fresh one. `status` and `users`
// are derived when read: IN_USE while a forwarding rule of the same scope holds the address's IP.

import { isIP } from 'node:net';
import { invalid } from '../errors.js';
import { oneOf, str } from '../fields.js';
import type { KindContext } from '../kind.js';
import type { Json } from '../store.js';

export function prepareAddress(body: Json, ctx: KindContext): Json {
  const a = structuredClone(body);
  const addressType = oneOf('resource.addressType', a.addressType, ['EXTERNAL', 'INTERNAL']) ?? 'EXTERNAL';
  const ip = str('resource.address', a.address);
  if (ip !== undefined && isIP(ip) === 0) throw invalid('resource.address', `'${ip}' is not an IP address`);
  if (a.subnetwork !== undefined)
    a.subnetwork = ctx.externalRef('resource.subnetwork', a.subnetwork, 'subnetworks');
  return {
    ...a,
    addressType,
    address: ip ?? ctx.allocateIp(addressType === 'INTERNAL'),
    ipVersion: oneOf('resource.ipVersion', a.ipVersion, ['IPV4', 'IPV6']) ?? 'IPV4',
    networkTier: a.networkTier ?? 'PREMIUM',
  };
}
