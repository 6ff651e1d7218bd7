// Wire format of the AWS Query protocol as ELBv2 speaks it: form-encoded request parameters with
// `Name.member.N` lists, XML replies in the 2015-12-01 namespace with `<member>` list items, and the
// `ErrorResponse` envelope. Kept generic: the emulator works on plain objects and lets this file turn them
// into (and out of) the wire shapes the real SDK writes and reads.

import { randomUUID } from 'node:crypto';

export const API_VERSION = '2015-12-01';
export const XMLNS = 'http://elasticloadbalancing.amazonaws.com/doc/2015-12-01/';

/** A parsed query parameter tree: leaves are strings, `X.member.N` lists become arrays. */
export type QueryValue = string | QueryValue[] | { [key: string]: QueryValue };
export type QueryObject = { [key: string]: QueryValue };

/** Parses a form-encoded body into a tree. `A.member.2.B=x` becomes `{ A: [<1>, { B: 'x' }] }`. */
export function parseQuery(body: string): QueryObject {
  const root: Record<string, unknown> = {};
  for (const [key, value] of new URLSearchParams(body)) {
    const parts = key.split('.');
    let node = root;
    for (let i = 0; i < parts.length - 1; i++) {
      const part = parts[i]!;
      const next = node[part];
      if (typeof next !== 'object' || next === null) node[part] = {};
      node = node[part] as Record<string, unknown>;
    }
    const last = parts[parts.length - 1]!;
    if (typeof node[last] !== 'object') node[last] = value;
  }
  return normalize(root) as QueryObject;
}

function normalize(node: unknown): QueryValue {
  if (typeof node === 'string') return node;
  const obj = node as Record<string, unknown>;
  const keys = Object.keys(obj);
  // `X.member.N` (and `X.entry.N` for maps, which ELBv2 does not use in the parts we emulate).
  if (keys.length === 1 && keys[0] === 'member' && typeof obj.member === 'object') {
    const members = obj.member as Record<string, unknown>;
    return Object.keys(members)
      .filter((k) => /^\d+$/.test(k))
      .sort((a, b) => Number(a) - Number(b))
      .map((k) => normalize(members[k]));
  }
  const out: Record<string, QueryValue> = {};
  for (const k of keys) out[k] = normalize(obj[k]);
  return out;
}

// --- typed accessors over a parsed tree -----------------------------------------------------------------

export function str(v: QueryValue | undefined): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

/** A list parameter; an empty list arrives as `Name=` and an absent one as undefined. */
export function list(v: QueryValue | undefined): QueryValue[] | undefined {
  if (v === undefined) return undefined;
  if (Array.isArray(v)) return v;
  if (v === '') return [];
  return undefined;
}

export function strList(v: QueryValue | undefined): string[] | undefined {
  const l = list(v);
  return l?.map((x) => (typeof x === 'string' ? x : ''));
}

export function obj(v: QueryValue | undefined): QueryObject | undefined {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? v : undefined;
}

// --- XML ----------------------------------------------------------------------------------------------

export function escapeXml(s: string): string {
  return s
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

/**
 * Serializes a plain value as XML children: objects become elements in insertion order, arrays become
 * `<member>` items, `undefined` is skipped, Dates are ISO-8601, everything else is text.
 */
export function toXml(value: unknown): string {
  if (value === undefined || value === null) return '';
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return value.map((v) => `<member>${toXml(v)}</member>`).join('');
  if (typeof value === 'object') {
    let out = '';
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
      if (v === undefined) continue;
      out += `<${k}>${toXml(v)}</${k}>`;
    }
    return out;
  }
  return escapeXml(String(value));
}

export function resultXml(action: string, result: unknown, requestId: string = randomUUID()): string {
  return (
    `<?xml version="1.0" encoding="UTF-8"?>\n` +
    `<${action}Response xmlns="${XMLNS}"><${action}Result>${toXml(result)}</${action}Result>` +
    `<ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata></${action}Response>`
  );
}

export function errorXml(
  code: string,
  message: string,
  status: number,
  requestId: string = randomUUID(),
): string {
  const type = status >= 500 ? 'Receiver' : 'Sender';
  return (
    `<?xml version="1.0" encoding="UTF-8"?>\n` +
    `<ErrorResponse xmlns="${XMLNS}"><Error><Type>${type}</Type><Code>${escapeXml(code)}</Code>` +
    `<Message>${escapeXml(message)}</Message></Error><RequestId>${requestId}</RequestId></ErrorResponse>`
  );
}

/** An API error the emulator answers with; `status` defaults to 400 as for every ELBv2 modelled error. */
export class ElbError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
  }
}

export const validation = (message: string): ElbError => new ElbError('ValidationError', message);
