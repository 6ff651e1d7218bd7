import { InvalidAddressError } from './errors.js';

export interface ResourceAddress {
  adapter: string;
  kind: string;
  name: string;
  sub?: string;
}

const SEGMENT = /^[^/\s]+$/;

/**
 * `<adapter>/<resource-kind>/<name>[/<sub>]`: names come from core/naming, so they hold no `/`; the
 * sub-address may have several segments (a rule is `<lb>/<port>/<id>` under its kind).
 */
export function formatAddress(a: ResourceAddress): string {
  const segments = [a.adapter, a.kind, a.name, ...(a.sub !== undefined ? a.sub.split('/') : [])];
  const address = segments.join('/');
  for (const s of segments)
    if (!SEGMENT.test(s)) throw new InvalidAddressError(address, `bad segment ${JSON.stringify(s)}`);
  return address;
}

export function parseAddress(address: string): ResourceAddress {
  const segments = address.split('/');
  if (segments.length < 3 || !segments.every((s) => SEGMENT.test(s)))
    throw new InvalidAddressError(address, 'expected <adapter>/<resource-kind>/<name>[/<sub>]');
  const [adapter, kind, name, ...rest] = segments as [string, string, string, ...string[]];
  return { adapter, kind, name, ...(rest.length > 0 ? { sub: rest.join('/') } : {}) };
}
