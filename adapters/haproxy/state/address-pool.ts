import type { IpFamily, LbKey } from '#core/ir/load-balancer.js';
import { formatIp, parseIp } from '#core/translate/ip-address.js';
import { InvalidConfigError, QuotaExceededError } from '../../types.js';

/**
 * The addresses Gateways and LoadBalancer Services bind, one per family each, so that several can
 * use the same port. IPv4 and IPv6 addresses or ranges, comma-separated: `127.0.0.2-127.0.0.254`
 * (any 127.0.0.0/8 address works on Linux without configuration), `::1`, `fd00::10-fd00::1f`. An
 * IPv4-only load balancer holds an IPv4 address, an IPv6-only one an IPv6 address, a dual-stack one
 * one of each. Only apply allocates (render names the request, see POOL_ADDRESS), and the
 * allocation is saved with the adapter's state: a key keeps its addresses across restarts for as
 * long as it exists.
 */
export class AddressPool {
  readonly addresses: readonly string[];
  readonly #byKey: Record<IpFamily, Map<LbKey, string>> = { IPv4: new Map(), IPv6: new Map() };

  /** `pool`: a spec (see parsePool) or its addresses; `assigned` / `assigned6`: the saved allocations. */
  constructor(
    pool: string | readonly string[],
    assigned: Readonly<Record<LbKey, string>> = {},
    assigned6: Readonly<Record<LbKey, string>> = {},
  ) {
    this.addresses = typeof pool === 'string' ? parsePool(pool) : pool;
    for (const [family, saved] of [
      ['IPv4', assigned],
      ['IPv6', assigned6],
    ] as const)
      for (const [key, address] of Object.entries(saved))
        if (this.addresses.includes(address) && familyOf(address) === family)
          this.#byKey[family].set(key, address);
  }

  /** The key's address of `family`, if it holds one. */
  of(key: LbKey, family: IpFamily = 'IPv4'): string | undefined {
    return this.#byKey[family].get(key);
  }

  /**
   * The key's address of `family`. With `requested` (an address of the pool and family): that one,
   * moved to if the key held another; an InvalidConfigError if another key holds it (until it lets
   * go). Without: the key's own, else the first free one.
   */
  assign(key: LbKey, requested?: string, family: IpFamily = 'IPv4'): string {
    const byKey = this.#byKey[family];
    const own = byKey.get(key);
    if (requested !== undefined) {
      if (!this.addresses.includes(requested) || familyOf(requested) !== family)
        throw new InvalidConfigError(
          `requested address ${requested} is not in the address pool's ${family} addresses`,
        );
      if (own === requested) return own;
      const holder = [...byKey].find(([, a]) => a === requested)?.[0];
      if (holder !== undefined)
        throw new InvalidConfigError(`requested address ${requested} is held by load balancer ${holder}`);
      byKey.set(key, requested);
      return requested;
    }
    if (own) return own;
    const taken = new Set(byKey.values());
    const candidates = this.addresses.filter((a) => familyOf(a) === family);
    const address = candidates.find((a) => !taken.has(a));
    if (!address)
      throw new QuotaExceededError(
        `the address pool's ${family} addresses (${candidates.length}) are exhausted`,
        'addressPool',
        candidates.length,
      );
    byKey.set(key, address);
    return address;
  }

  /** Lets go of the key's address of `family` (by default: of both). */
  release(key: LbKey, family?: IpFamily): void {
    for (const f of family ? [family] : (['IPv4', 'IPv6'] as const)) this.#byKey[f].delete(key);
  }

  assigned(family: IpFamily = 'IPv4'): Record<LbKey, string> {
    return Object.fromEntries(this.#byKey[family]);
  }
}

const familyOf = (address: string): IpFamily => (address.includes(':') ? 'IPv6' : 'IPv4');

/**
 * Addresses of a pool spec. A range spans at most 65,536 addresses and, for IPv6, differs only in
 * its last 32 bits. Unspecified addresses (`0.0.0.0`, `::`) are refused: each pool address is one
 * load balancer's, and a wildcard bind would take every other load balancer's port too.
 */
export function parsePool(spec: string): string[] {
  const out: string[] = [];
  for (const part of spec
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)) {
    // An IPv6 range is `a-b` too; IPv6 addresses have no `-`, so the split is unambiguous.
    const [from, to] = part.split('-').map((s) => s.trim());
    const start = parseIp(from ?? '');
    if (!start) throw new TypeError(`address pool: ${from} is not an IP address`);
    const end = to === undefined ? start : parseIp(to);
    if (!end || end.family !== start.family)
      throw new TypeError(`address pool: ${to} is not an ${start.family} address`);
    const width = start.bytes.length;
    const prefix = (b: number[]) => b.slice(0, width - 4).join(',');
    if (prefix(start.bytes) !== prefix(end.bytes))
      throw new RangeError(`address pool: ${part} must differ only in its last 32 bits`);
    const low32 = (b: number[]) =>
      ((b[width - 4]! << 24) >>> 0) + (b[width - 3]! << 16) + (b[width - 2]! << 8) + b[width - 1]!;
    const [lo, hi] = [low32(start.bytes), low32(end.bytes)];
    if (hi < lo || hi - lo > 65_535)
      throw new RangeError(`address pool: ${part} is not a range of at most 65,536 addresses`);
    for (let v = lo; v <= hi; v++) {
      const bytes = [
        ...start.bytes.slice(0, width - 4),
        v >>> 24,
        (v >>> 16) & 255,
        (v >>> 8) & 255,
        v & 255,
      ];
      if (bytes.every((b) => b === 0))
        throw new TypeError(`address pool: ${part} holds the unspecified address, which binds every address`);
      out.push(formatIp({ family: start.family, bytes }));
    }
  }
  if (out.length === 0) throw new TypeError('address pool: no address given');
  return [...new Set(out)];
}
