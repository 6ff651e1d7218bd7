// An independent model of HAProxy 2.6's config line parser (src/tools.c parse_line, configuration.txt
// §2.2): words, quotes, escapes, `#` comments and `$VAR` expansion. Tests use it to prove that every
// rendered line splits into the intended words and that nothing would be expanded or cut.

export interface Tokenized {
  words: string[];
  /** A `#` outside quotes ended the line early. */
  comment: boolean;
  /** Environment variables HAProxy would have expanded. */
  expansions: string[];
  /** Backslash escapes processed (outside strong quotes). */
  escapes: number;
  unterminated: boolean;
}

export function tokenizeLine(line: string): Tokenized {
  const out: Tokenized = { words: [], comment: false, expansions: [], escapes: 0, unterminated: false };
  let word: string | undefined;
  let quote: "'" | '"' | undefined;
  const push = (s: string) => {
    word = (word ?? '') + s;
  };
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (quote === "'") {
      if (c === "'") quote = undefined;
      else push(c);
      continue;
    }
    if (c === '\\') {
      out.escapes++;
      const n = line[i + 1] ?? '';
      const map: Record<string, string> = { n: '\n', r: '\r', t: '\t' };
      if (n === 'x') {
        push(String.fromCharCode(Number.parseInt(line.slice(i + 2, i + 4), 16)));
        i += 3;
      } else {
        push(map[n] ?? n);
        i++;
      }
      continue;
    }
    if (c === '$') {
      const m = /^\$(\{[^}]*\}|[A-Za-z_][A-Za-z0-9_]*)/.exec(line.slice(i));
      if (m) {
        out.expansions.push(m[1]!);
        word = word ?? '';
        i += m[0].length - 1;
        continue;
      }
    }
    if (quote === '"') {
      if (c === '"') quote = undefined;
      else push(c);
      continue;
    }
    if (c === "'" || c === '"') {
      quote = c;
      word = word ?? '';
      continue;
    }
    if (c === '#') {
      out.comment = true;
      break;
    }
    if (c === ' ' || c === '\t') {
      if (word !== undefined) out.words.push(word);
      word = undefined;
      continue;
    }
    push(c);
  }
  if (quote !== undefined) out.unterminated = true;
  if (word !== undefined) out.words.push(word);
  return out;
}

/** `%[...]` sample expressions a log-format word would evaluate (after `%%` → literal `%`). */
export function logFormatSamples(word: string): string[] {
  const samples: string[] = [];
  const s = word.replaceAll('%%', '');
  for (let i = s.indexOf('%['); i !== -1; i = s.indexOf('%[', i + 2)) {
    const end = s.indexOf(']', i);
    samples.push(s.slice(i, end === -1 ? undefined : end + 1));
  }
  return samples;
}
