/**
 * The one log format of Portico's deployables, the functions and the forwarder: one JSON object
 * per line, `{ level, msg, time, service, ...fields }`, on stdout (Lambda ships it to CloudWatch,
 * the container runtime collects it). Callers pass fields, never secrets or bodies.
 */
export type LogLevel = 'info' | 'warn' | 'error';
export type LogFields = Record<string, unknown>;

export interface Logger {
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
}

export interface JsonLoggerOptions {
  /** Who writes the lines: `ingest`, `record`, `reconcile`, `resync`, `status` or `forwarder`. */
  service: string;
  /** Where lines go (default: stdout). */
  write?: (line: string) => void;
  now?: () => Date;
}

export function createJsonLogger(options: JsonLoggerOptions): Logger {
  const { service } = options;
  const write = options.write ?? ((line: string) => process.stdout.write(`${line}\n`));
  const now = options.now ?? (() => new Date());
  const log =
    (level: LogLevel) =>
    (msg: string, fields: LogFields = {}): void =>
      write(JSON.stringify({ level, msg, time: now().toISOString(), service, ...fields }));
  return { info: log('info'), warn: log('warn'), error: log('error') };
}

/** Writes nothing (tests, and components whose caller gave no logger). */
export const silentLogger: Logger = { info: () => {}, warn: () => {}, error: () => {} };

/** An error as log fields: its name and message (never its stack). */
export function errorFields(error: unknown): { error: string; detail: string } {
  return error instanceof Error
    ? { error: error.name, detail: error.message }
    : { error: 'Error', detail: String(error) };
}
