// Allow-lists for every value that reaches the runtime CLI. The CLI treats `;` as a command
// separator, `\` as an escape and a newline as the end of a command (research/haproxy.md §3.4), so
// rather than escaping we accept only identifiers, IP literals and small integers.

import { isIP } from 'node:net';
import { RuntimeArgumentError } from './errors.js';

export type ServerState = 'ready' | 'drain' | 'maint';
export const SERVER_STATES: readonly ServerState[] = ['ready', 'drain', 'maint'];

const NAME = /^[A-Za-z0-9_.:-]{1,127}$/;
/** Map references as HAProxy names them: the path from the config, relative or absolute. */
const MAP_PATH = /^[A-Za-z0-9_./-]{1,255}$/;
const CONTROL = /[\x00-\x1f\x7f]/;

/** Backend and server names. */
export function cliName(value: string, what = 'name'): string {
  if (!NAME.test(value))
    throw new RuntimeArgumentError(`invalid ${what} for the runtime API: ${JSON.stringify(value)}`);
  return value;
}

export function cliAddress(value: string): string {
  if (isIP(value) === 0) throw new RuntimeArgumentError(`not an IPv4/IPv6 address: ${JSON.stringify(value)}`);
  return value;
}

export function cliPort(value: number): string {
  return String(cliInteger(value, 1, 65535, 'port'));
}

/** `set server ... weight` takes 0..256 (absolute). */
export function cliWeight(value: number): string {
  return String(cliInteger(value, 0, 256, 'weight'));
}

export function cliState(value: string): ServerState {
  if (!(SERVER_STATES as readonly string[]).includes(value))
    throw new RuntimeArgumentError(`server state must be ready, drain or maint: ${JSON.stringify(value)}`);
  return value as ServerState;
}

export function cliMapPath(value: string): string {
  if (!MAP_PATH.test(value) || value.includes('..'))
    throw new RuntimeArgumentError(`invalid map path for the runtime API: ${JSON.stringify(value)}`);
  return value;
}

/**
 * One payload line `key value`. Keys cannot hold whitespace (a map key is the first word); no line
 * may hold a control character (a newline ends the line, an empty line ends the payload).
 */
export function cliMapEntry(key: string, value: string): string {
  if (key === '' || /\s/.test(key) || CONTROL.test(key))
    throw new RuntimeArgumentError(`map key must be non-empty, without whitespace: ${JSON.stringify(key)}`);
  if (CONTROL.test(value))
    throw new RuntimeArgumentError(`map value with a control character: ${JSON.stringify(value)}`);
  return value === '' ? key : `${key} ${value}`;
}

function cliInteger(value: number, min: number, max: number, what: string): number {
  if (!Number.isInteger(value) || value < min || value > max)
    throw new RuntimeArgumentError(`${what} must be an integer in ${min}..${max}: ${value}`);
  return value;
}
