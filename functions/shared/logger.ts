/** A structured JSON logger: one JSON object per line. Callers pass fields, never secrets or bodies. */
export interface Logger {
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

export interface JsonLoggerOptions {
  /** Where lines go (default: stdout, which Lambda ships to CloudWatch). */
  write?: (line: string) => void;
  /** Fields on every line, e.g. `{ service: 'ingest' }`. */
  base?: Record<string, unknown>;
  now?: () => Date;
}

export function createJsonLogger(options: JsonLoggerOptions = {}): Logger {
  const write = options.write ?? ((line: string) => process.stdout.write(`${line}\n`));
  const now = options.now ?? (() => new Date());
  const log =
    (level: 'info' | 'warn' | 'error') =>
    (message: string, fields: Record<string, unknown> = {}): void =>
      write(JSON.stringify({ level, time: now().toISOString(), message, ...options.base, ...fields }));
  return { info: log('info'), warn: log('warn'), error: log('error') };
}

/** An error as log fields: its name and message (never its stack). */
export function errorFields(error: unknown): { error: string; detail: string } {
  return error instanceof Error
    ? { error: error.name, detail: error.message }
    : { error: 'Error', detail: String(error) };
}
