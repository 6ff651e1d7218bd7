export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
export type LogFields = Record<string, unknown>;
/** A structured log line: `level`, message, fields. */
export type Log = (level: LogLevel, msg: string, fields?: LogFields) => void;

/** JSON lines on stdout (what the container runtime collects). */
export function jsonLog(write: (line: string) => void = (l) => process.stdout.write(`${l}\n`)): Log {
  return (level, msg, fields = {}) => {
    write(JSON.stringify({ time: new Date().toISOString(), level, msg, ...fields }));
  };
}

export const silentLog: Log = () => {};
