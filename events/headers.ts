/** HTTP headers as API Gateway passes them (names in any case). */
export type IncomingHeaders = Readonly<Record<string, string | undefined>>;

/** The headers with lower-case names (HTTP header names are case-insensitive). */
export function lowerCaseHeaders(headers: IncomingHeaders): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  for (const [k, v] of Object.entries(headers)) out[k.toLowerCase()] = v;
  return out;
}
