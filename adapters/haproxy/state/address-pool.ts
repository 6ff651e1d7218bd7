import type { LbKey } from '#core/ir/load-balancer.js';
import { formatIp, parseIp } from '#core/translate/ip-address.js';
import { InvalidConfigError, QuotaExceededError } from '../../types.js';

/**
 * The addresses Gateways and LoadBalancer Services bind, one each, so that several can use the same
 * port. `127.0.0.2-127.0.0.254` (any 127.0.0.0/8 address works on Linux without configuration) or a
 * comma-separated list. Only apply allocates (render names the request, see POOL_ADDRESS), and the
 * allocation is saved with the adapter's state: a key keeps its address across restarts for as
 * long as it exists.
 */
export class AddressPool {
  readonly addresses: readonly string[];
  readonly #byKey = new Map<LbKey, string>();

  /** `pool`: a spec (see parsePool) or its addresses; `assigned`: the saved allocation. */
  constructor(pool: string | readonly string[], assigned: Readonly<Record<LbKey, string>> = {}) {
    this.addresses = typeof pool === 'string' ? parsePool(pool) : pool;
    for (const [key, address] of Object.entries(assigned))
      if (this.addresses.includes(address)) this.#byKey.set(key, address);
  }

  /** The address the key holds, if any. */
  of(key: LbKey): string | undefined {
    return this.#byKey.get(key);
  }

  /**
   * The key's address. With `requested` (an address of the pool): that one, moved to if the key
   * held another; an InvalidConfigError if another key holds it (until it lets go). Without: the key's own, else the first
   * free one.
   */
  assign(key: LbKey, requested?: string): string {
    const own = this.#byKey.get(key);
    if (requested !== undefined) {
      if (!this.addresses.includes(requested))
        throw new InvalidConfigError(`requested address ${requested} is not in the address pool`);
      if (own === requested) return own;
      const holder = [...this.#byKey].find(([, a]) => a === requested)?.[0];
      if (holder !== undefined)
        throw new InvalidConfigError(`requested address ${requested} is held by load balancer ${holder}`);
      this.#byKey.set(key, requested);
      return requested;
    }
    if (own) return own;
    const taken = new Set(this.#byKey.values());
    const address = this.addresses.find((a) => !taken.has(a));
    if (!address)
      throw new QuotaExceededError(
        `the address pool (${this.addresses.length} addresses) is exhausted`,
        'addressPool',
        this.addresses.length,
      );
    this.#byKey.set(key, address);
    return address;
  }

  release(key: LbKey): void {
    this.#byKey.delete(key);
  }

  assigned(): Record<LbKey, string> {
    return Object.fromEntries(this.#byKey);
  }
}

export function parsePool(spec: string): string[] {
  const out: string[] = [];
  for (const part of spec
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)) {
    const [from, to] = part.split('-').map((s) => s.trim());
    const start = parseIp(from ?? '');
    if (start?.family !== 'IPv4') throw new TypeError(`address pool: ${from} is not an IPv4 address`);
    if (to === undefined) {
      out.push(formatIp(start));
      continue;
    }
    const end = parseIp(to);
    if (end?.family !== 'IPv4') throw new TypeError(`address pool: ${to} is not an IPv4 address`);
    const n = (b: number[]) => ((b[0]! << 24) >>> 0) + (b[1]! << 16) + (b[2]! << 8) + b[3]!;
    const [lo, hi] = [n(start.bytes), n(end.bytes)];
    if (hi < lo || hi - lo > 65_535)
      throw new RangeError(`address pool: ${part} is not a range of at most 65,536 addresses`);
    for (let v = lo; v <= hi; v++) out.push([v >>> 24, (v >>> 16) & 255, (v >>> 8) & 255, v & 255].join('.'));
  }
  if (out.length === 0) throw new TypeError('address pool: no address given');
  return [...new Set(out)];
}
