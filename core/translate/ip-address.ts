// Strict IP address and CIDR parsing, written out here because the core may not use node:net. Strict
// means: IPv4 in dotted decimal with no leading zeros (`010.0.0.1` is octal to some parsers and
// decimal to others), IPv6 per RFC 4291 without zone ids, and output in canonical form (RFC 5952) so
// that equal intent gives equal text. These are the rules Kubernetes applies with strict IP
// validation (KEP-4858).

export type IpFamily = 'IPv4' | 'IPv6';

export interface IpAddress {
  family: IpFamily;
  /** 4 or 16 bytes, network order. */
  bytes: number[];
}

export interface Cidr extends IpAddress {
  prefix: number;
}

export function parseIp(text: string): IpAddress | undefined {
  const v4 = parseIpv4(text);
  if (v4) return { family: 'IPv4', bytes: v4 };
  const v6 = parseIpv6(text);
  return v6 ? { family: 'IPv6', bytes: v6 } : undefined;
}

/** `::ffff:a.b.c.d` is an IPv4 address in IPv6 clothing: its family is ambiguous, so strict validation refuses it. */
export function isIpv4Mapped(ip: IpAddress): boolean {
  return (
    ip.family === 'IPv6' &&
    ip.bytes.slice(0, 10).every((b) => b === 0) &&
    ip.bytes[10] === 255 &&
    ip.bytes[11] === 255
  );
}

export function formatIp(ip: IpAddress): string {
  if (ip.family === 'IPv4') return ip.bytes.join('.');
  const groups: number[] = [];
  for (let i = 0; i < 16; i += 2) groups.push((ip.bytes[i]! << 8) | ip.bytes[i + 1]!);
  // RFC 5952: compress the longest run of two or more zero groups, the first one on a tie.
  let best = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen) {
      best = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = (gs: number[]) => gs.map((g) => g.toString(16)).join(':');
  if (best < 0) return hex(groups);
  return `${hex(groups.slice(0, best))}::${hex(groups.slice(best + bestLen))}`;
}

export type CidrResult = { ok: true; cidr: Cidr; text: string } | { ok: false; message: string };

/** A CIDR such as `10.0.0.0/8` or `2001:db8::/32`; host bits must be zero (see why below). */
export function parseCidr(text: string): CidrResult {
  const slash = text.indexOf('/');
  if (slash < 0) return { ok: false, message: `"${text}" is not a CIDR: it has no "/prefix"` };
  const address = text.slice(0, slash);
  const ip = parseIp(address);
  if (!ip) {
    const why =
      /^[0-9.]+$/.test(address) && /(^|\.)0[0-9]/.test(address)
        ? 'has a leading zero, which some parsers read as octal'
        : 'is not an IP address';
    return { ok: false, message: `"${text}" is not a CIDR: "${address}" ${why}` };
  }
  if (isIpv4Mapped(ip))
    return { ok: false, message: `"${text}" is an IPv4-mapped IPv6 range: write it as IPv4` };
  const prefixText = text.slice(slash + 1);
  const max = ip.family === 'IPv4' ? 32 : 128;
  if (!/^(0|[1-9][0-9]{0,2})$/.test(prefixText) || Number(prefixText) > max) {
    return { ok: false, message: `"${text}" is not a CIDR: the prefix length must be 0 to ${max}` };
  }
  const cidr: Cidr = { ...ip, prefix: Number(prefixText) };
  // `10.0.0.1/8` may mean 10.0.0.0/8 or 10.0.0.1/32; masking it could widen access, so it is refused.
  const network = masked(cidr);
  if (network.bytes.some((b, i) => b !== cidr.bytes[i])) {
    return {
      ok: false,
      message: `"${text}" has host bits set: write ${formatIp(network)}/${cidr.prefix} or ${formatIp(ip)}/${max}`,
    };
  }
  return { ok: true, cidr, text: `${formatIp(cidr)}/${cidr.prefix}` };
}

/** Whether `outer` contains all of `inner` (same family, shorter or equal prefix, same network bits). */
export function cidrContains(outer: Cidr, inner: Cidr): boolean {
  if (outer.family !== inner.family || outer.prefix > inner.prefix) return false;
  const narrowed = masked({ ...inner, prefix: outer.prefix });
  return narrowed.bytes.every((b, i) => b === outer.bytes[i]);
}

export function compareCidrs(a: Cidr, b: Cidr): number {
  if (a.family !== b.family) return a.family === 'IPv4' ? -1 : 1;
  for (let i = 0; i < a.bytes.length; i++) {
    const d = a.bytes[i]! - b.bytes[i]!;
    if (d !== 0) return d;
  }
  return a.prefix - b.prefix;
}

function masked(cidr: Cidr): Cidr {
  const bytes = cidr.bytes.map((b, i) => {
    const bits = Math.min(8, Math.max(0, cidr.prefix - i * 8));
    return b & ((0xff << (8 - bits)) & 0xff);
  });
  return { ...cidr, bytes };
}

function parseIpv4(text: string): number[] | undefined {
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  const bytes: number[] = [];
  for (const p of parts) {
    if (!/^(0|[1-9][0-9]{0,2})$/.test(p) || Number(p) > 255) return undefined;
    bytes.push(Number(p));
  }
  return bytes;
}

function parseIpv6(text: string): number[] | undefined {
  if (text.length > 45 || !/^[0-9A-Fa-f:.]+$/.test(text)) return undefined;
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const head = halves[0] ? halves[0].split(':') : [];
  const tail = halves.length === 2 && halves[1] ? halves[1].split(':') : [];
  // An embedded IPv4 address may only come last, after any "::".
  const lastList = halves.length === 2 ? tail : head;
  const last = lastList[lastList.length - 1];
  let v4: number[] | undefined;
  if (last?.includes('.')) {
    v4 = parseIpv4(last);
    if (!v4) return undefined;
    lastList.pop();
  }
  const groups = (list: string[]) => {
    const out: number[] = [];
    for (const g of list) {
      if (!/^[0-9A-Fa-f]{1,4}$/.test(g)) return undefined;
      out.push(Number.parseInt(g, 16));
    }
    return out;
  };
  const h = groups(head);
  const t = groups(tail);
  if (!h || !t) return undefined;
  const want = v4 ? 6 : 8;
  const have = h.length + t.length;
  if (halves.length === 2 ? have >= want : have !== want) return undefined;
  const words = [...h, ...new Array<number>(want - have).fill(0), ...t];
  const bytes = words.flatMap((w) => [w >> 8, w & 0xff]);
  return v4 ? [...bytes, ...v4] : bytes;
}
