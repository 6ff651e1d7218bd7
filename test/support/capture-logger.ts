import type { LogFields, Logger, LogLevel } from '#logging/logger.js';

/** A Logger that keeps its lines in memory, for tests to assert on. */
export interface CapturedLogger extends Logger {
  lines: { level: LogLevel; msg: string; fields: LogFields }[];
}

export function captureLogger(): CapturedLogger {
  const lines: CapturedLogger['lines'] = [];
  const at =
    (level: LogLevel) =>
    (msg: string, fields: LogFields = {}) => {
      lines.push({ level, msg, fields });
    };
  return { lines, info: at('info'), warn: at('warn'), error: at('error') };
}
