// Typed failures of the effectful HAProxy half, mapped onto the adapter error vocabulary so the
// reconcile handler can tell "retry later" (socket gone mid-reload) from "this config is refused".

import { InvalidConfigError, RetryableError } from '../../types.js';

export class HAProxyNotInstalledError extends Error {
  override readonly name: string = 'HAProxyNotInstalledError';
  constructor() {
    super('HAProxy is not installed: apt-get install -y haproxy');
  }
}

/** The CLI socket did not answer (missing, refused, timed out): usually a reload or a dead process. */
export class HAProxyUnavailableError extends RetryableError {
  override readonly name: string = 'HAProxyUnavailableError';
}

/** An argument failed the CLI allow-list: it never reaches the socket. */
export class RuntimeArgumentError extends InvalidConfigError {
  override readonly name: string = 'RuntimeArgumentError';
}

export type HAProxyCommandErrorKind =
  | 'no-such-backend'
  | 'no-such-server'
  | 'unknown-map'
  | 'unknown-command'
  | 'invalid-value'
  | 'permission-denied'
  | 'other';

/** HAProxy answered a runtime command with an error message. */
export class HAProxyCommandError extends Error {
  override readonly name: string = 'HAProxyCommandError';
  constructor(
    readonly command: string,
    readonly response: string,
    readonly kind: HAProxyCommandErrorKind,
  ) {
    super(`HAProxy refused '${command}': ${response.split('\n')[0]}`);
  }
}

/** `haproxy -c` (or the config parser during a start) refused the files; alerts are HAProxy's own lines. */
export class HAProxyConfigError extends InvalidConfigError {
  override readonly name: string = 'HAProxyConfigError';
  constructor(
    message: string,
    readonly alerts: readonly string[],
  ) {
    super(alerts.length > 0 ? `${message}:\n${alerts.join('\n')}` : message);
  }
}

/** The master did not bring up a new worker: the old one keeps serving. */
export class HAProxyReloadError extends Error {
  override readonly name: string = 'HAProxyReloadError';
  constructor(
    message: string,
    readonly alerts: readonly string[],
    readonly timedOut = false,
  ) {
    super(alerts.length > 0 ? `${message}:\n${alerts.join('\n')}` : message);
  }
}

/** The process exited or never answered during start-up. */
export class HAProxyStartError extends Error {
  override readonly name: string = 'HAProxyStartError';
  constructor(
    message: string,
    readonly alerts: readonly string[],
    readonly exitCode: number | null = null,
  ) {
    super(alerts.length > 0 ? `${message}:\n${alerts.join('\n')}` : message);
  }
}
