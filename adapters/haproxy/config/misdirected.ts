// 421 Misdirected Request on HTTPS ports shared by Gateway listeners of different hostnames. A TLS
// connection belongs to the listener whose hostname covers its SNI most specifically; a request on it
// whose Host is covered most specifically by another listener must not reach that listener's routes
// (HTTP/2 clients reuse a connection for every name its certificate covers). Listener hostnames are
// ranked (exact, longer wildcard suffixes, then `*`), and the rank chosen for the SNI and for the Host
// are compared. Without an SNI the connection belongs to `*`, or to no listener: then nothing is checked.

import type * as ir from '#core/ir/load-balancer.js';
import { configWord, hostname } from './escape.js';
import { atField } from './field-error.js';

/** Most specific first: exact names, wildcards by longer suffix, `*` last. */
export function rankListenerHostnames(hostnames: readonly string[]): string[] {
  const score = (h: string) => (h === '*' ? -1 : h.startsWith('*.') ? h.length : 10_000);
  return [...new Set(hostnames)].sort((a, b) => score(b) - score(a) || (a < b ? -1 : a > b ? 1 : 0));
}

/** The rules for an HTTPS listener with listenerHostnames; none otherwise. */
export function misdirectedRules(listener: ir.Listener): string[] {
  const hostnames = listener.tls?.listenerHostnames;
  if (listener.protocol !== 'HTTPS' || !hostnames || hostnames.length < 2) return [];
  const ranked = rankListenerHostnames(hostnames);
  const rules: string[] = [];
  for (const [side, fetch] of [
    ['lsni', 'ssl_fc_sni,lower'],
    ['lhost', 'var(txn.host)'],
  ] as const) {
    ranked.forEach((h, i) => {
      const unset = `!{ var(txn.${side}) -m found }`;
      if (h === '*') {
        rules.push(`http-request set-var(txn.${side}) int(${i}) if ${unset}`);
        return;
      }
      const name = atField(`tls.listenerHostnames[${hostnames.indexOf(h)}]`, () => hostname(h));
      const test = name.startsWith('*.')
        ? `{ ${fetch} -m end -- ${configWord(name.slice(1))} }`
        : `{ ${fetch} -m str -- ${configWord(name)} }`;
      rules.push(`http-request set-var(txn.${side}) int(${i}) if ${unset} ${test}`);
    });
  }
  rules.push(
    `http-request return status 421 content-type text/plain string ${configWord('misdirected request')} if { var(txn.lsni) -m found } { var(txn.lhost) -m found } !{ var(txn.lhost),sub(txn.lsni) -m int eq 0 }`,
  );
  return rules;
}
