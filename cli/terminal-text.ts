// Names, hostnames and messages printed by the CLI come from manifests and clusters: untrusted. A raw
// newline in one could forge a line of output, an ANSI escape could rewrite the terminal, and a bidi
// override could make text read differently from what it is. They are shown escaped instead.

/** C0 and C1 controls, DEL, line/paragraph separators and the bidi controls. */
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;
const UNSAFE_BUT_NEWLINE =
  /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

const NAMED: Readonly<Record<string, string>> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

function escapeChar(c: string): string {
  const code = c.charCodeAt(0);
  return NAMED[c] ?? (code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16)}`);
}

/** One untrusted value, safe to print inside a line. */
export function terminalSafe(value: unknown): string {
  return String(value).replace(UNSAFE, escapeChar);
}

/**
 * A whole block of output, keeping its line breaks: the last line of defence, for text assembled
 * elsewhere. Values should still be escaped with {@link terminalSafe} where a line is built, since
 * only there is a newline inside a value told apart from one between lines.
 */
export function terminalLines(text: string): string {
  return text.replace(UNSAFE_BUT_NEWLINE, escapeChar);
}
