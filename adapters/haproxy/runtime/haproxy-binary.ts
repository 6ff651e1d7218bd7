// Where the haproxy executable is: PATH first (tests and containers may pin another build), then
// Debian's location, which is not on a non-root PATH.

import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import { HAProxyNotInstalledError } from './errors.js';

const FALLBACKS = ['/usr/sbin/haproxy', '/usr/local/sbin/haproxy'];

export function findHAProxyBinary(env: NodeJS.ProcessEnv = process.env): string {
  const dirs = (env.PATH ?? '').split(delimiter).filter((d) => d !== '');
  for (const candidate of [...dirs.map((d) => join(d, 'haproxy')), ...FALLBACKS]) {
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here; keep looking
    }
  }
  throw new HAProxyNotInstalledError();
}
