// Reading `server` lines back out of a haproxy.cfg, so apply-runtime can check for itself that two
// configs differ only in slot contents (address, port, weight, disabled) before it skips a reload.
// Plain HAProxy syntax, independent of how the config was rendered.

export interface ServerLine {
  backend: string;
  server: string;
  addr: string;
  port: number | undefined;
  weight: number | undefined;
  disabled: boolean;
}

const SECTION =
  /^(global|defaults|frontend|backend|listen|resolvers|peers|userlist|program|http-errors|ring|cache|mailers)\b\s*(\S*)/;

/**
 * The config with every `server` line of a listed slot reduced to `server <name> <slot>` plus its
 * other options: equal results mean only slot contents changed.
 */
export function configWithoutSlotContents(cfg: string, slots: ReadonlySet<string>): string {
  let backend: string | undefined;
  return cfg
    .split('\n')
    .map((line) => {
      const section = SECTION.exec(line);
      if (section) {
        backend = section[1] === 'backend' || section[1] === 'listen' ? section[2] : undefined;
        return line;
      }
      const parsed = backend === undefined ? undefined : parseServerLine(backend, line);
      if (!parsed || !slots.has(`${parsed.backend}/${parsed.server}`)) return line;
      const options = optionsOf(line);
      return `  server ${parsed.server} <slot> ${options.join(' ')}`;
    })
    .join('\n');
}

/** Every `server` line by `backend/server`. */
export function serverLines(cfg: string): Map<string, ServerLine> {
  const out = new Map<string, ServerLine>();
  let backend: string | undefined;
  for (const line of cfg.split('\n')) {
    const section = SECTION.exec(line);
    if (section) {
      backend = section[1] === 'backend' || section[1] === 'listen' ? section[2] : undefined;
      continue;
    }
    const parsed = backend === undefined ? undefined : parseServerLine(backend, line);
    if (parsed) out.set(`${parsed.backend}/${parsed.server}`, parsed);
  }
  return out;
}

function parseServerLine(backend: string, line: string): ServerLine | undefined {
  const words = line.trim().split(/\s+/);
  if (words[0] !== 'server' || words.length < 3) return undefined;
  const target = words[2]!;
  // A server at a socket (a mixed TLS listener's terminator: config/tls-mixed.ts) is fixed config,
  // never a runtime slot: `set server addr` cannot point one anywhere else.
  if (/^(abns@|unix@|\/)/.test(target)) return undefined;
  // `10.0.0.7:8080`, `[::1]:8080`, or an address without a port.
  const m = /^\[([^\]]+)\](?::(\d+))?$/.exec(target) ??
    /^([^:]+)(?::(\d+))?$/.exec(target) ?? [target, target];
  const w = words.indexOf('weight', 3);
  return {
    backend,
    server: words[1]!,
    addr: m[1]!,
    port: m[2] === undefined ? undefined : Number(m[2]),
    weight: w > 0 ? Number(words[w + 1]) : undefined,
    disabled: words.includes('disabled'),
  };
}

/** The words after the address, without the slot-content ones (weight N, disabled, enabled). */
function optionsOf(line: string): string[] {
  const words = line.trim().split(/\s+/).slice(3);
  const out: string[] = [];
  for (let i = 0; i < words.length; i++) {
    if (words[i] === 'weight') {
      i++;
      continue;
    }
    if (words[i] === 'disabled' || words[i] === 'enabled') continue;
    out.push(words[i]!);
  }
  return out;
}
