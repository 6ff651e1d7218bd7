import type { LbKey } from '#core/ir/load-balancer.js';
import { formatIp, parseIp } from '#core/translate/ip-address.js';

/**
 * The addresses Gateways and LoadBalancer Services bind, one each, so that several can use the same
 * port. `127.0.0.2-127.0.0.254` (any 127.0.0.0/8 address works on Linux without configuration) or a
 * comma-separated list. Allocation is stable: a key keeps its address for as long as it exists.
 */
export class AddressPool {
  readonly #addresses: string[];
  readonly #byKey = new Map<LbKey, string>();

  constructor(spec: string, assigned: Readonly<Record<LbKey, string>> = {}) {
    this.#addresses = parsePool(spec);
    for (const [key, address] of Object.entries(assigned))
      if (this.#addresses.includes(address)) this.#byKey.set(key, address);
  }

  /** The key's address: its own, else the requested one if it is in the pool and free, else the first free one. */
  addressFor(key: LbKey, requested: readonly string[] = []): string {
    const own = this.#byKey.get(key);
    if (own) return own;
    const taken = new Set(this.#byKey.values());
    const address = [...requested.filter((a) => this.#addresses.includes(a)), ...this.#addresses].find(
      (a) => !taken.has(a),
    );
    if (!address) throw new RangeError(`the address pool (${this.#addresses.length} addresses) is exhausted`);
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
