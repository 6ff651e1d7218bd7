// Pure: the live files back into model values, for observe. Only sections and files Portico names
// are read (by the names of the resources it looks for); every field that the text holds comes from
// the text. Fields the text does not hold (which load balancer, listener or pool a section is for,
// the map match type, the dependency lists) come from the reference value: they are names, not
// state that can drift. Each section is rendered again from what was read and compared line by
// line with the disk: whatever the read missed is reported as configDrift, so no hand edit hides.

import type {
  BackendModel,
  ConfigDrift,
  DesiredEndpoint,
  FrontendModel,
  FrontendTls,
  TlsTerminator,
} from '../model.js';
import { HELPER_BACKENDS, tlsTerminatorName } from '../naming.js';
import { readClientValidation } from './client-validation.js';
import { backendSection, frontendSection, SERVER_HEADER_RULE } from './materialize.js';
import { terminatorSections } from './tls-mixed.js';

export interface ConfigSection {
  /** `frontend`, `backend`, `global`... */
  type: string;
  name: string;
  /** Body lines, trimmed, in file order. */
  lines: string[];
}

const SECTION_HEAD =
  /^(global|defaults|frontend|backend|listen|resolvers|peers|userlist|program|http-errors|ring|cache|mailers)\b\s*(\S*)/;

/** Sections by `<type> <name>`; comments and blank lines dropped. */
export function parseSections(cfg: string): Map<string, ConfigSection> {
  const out = new Map<string, ConfigSection>();
  let current: ConfigSection | undefined;
  for (const raw of cfg.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const head = SECTION_HEAD.exec(raw);
    if (head) {
      current = { type: head[1]!, name: head[2] ?? '', lines: [] };
      out.set(`${current.type} ${current.name}`, current);
    } else current?.lines.push(line);
  }
  return out;
}

/** `certs/<name>.pem sni...` lines → the certificates of a terminating frontend. */
export function readCrtList(content: string): { cert: string; sni: string[] }[] {
  const out: { cert: string; sni: string[] }[] = [];
  for (const line of content.split('\n')) {
    const [file, ...sni] = line.trim().split(/\s+/);
    const m = /^certs\/(.+)\.pem$/.exec(file ?? '');
    if (m) out.push({ cert: m[1]!, sni });
    else if (file) out.push({ cert: file, sni });
  }
  return out;
}

/**
 * A frontend section as its model. `crtLists` holds the live crt-list files by path. The bind address
 * is the one on disk (an IP); the caller maps it back to what render asked for. `live` is the whole
 * config and the instance it runs in: a mixed TLS listener's terminator sections are read from it.
 */
export function readFrontend(
  section: ConfigSection,
  reference: FrontendModel,
  crtLists: Readonly<Record<string, string>>,
  live: { sections: ReadonlyMap<string, ConfigSection>; instance: string },
): FrontendModel {
  let mode = reference.mode;
  let bind: FrontendModel['bind'] = { address: '', port: 0 };
  let tls: FrontendTls | undefined;
  let defaultBackend = '';
  const sourceRanges: string[] = [];
  const rules: string[] = [];
  for (const line of section.lines) {
    const words = line.split(/\s+/);
    if (words[0] === 'mode' && words.length === 2) mode = words[1] as FrontendModel['mode'];
    else if (words[0] === 'bind' && bind.port !== 0 && bind.address6 === undefined) {
      // A dual-stack listener's second bind (its other options are the first's: the round trip checks).
      const m = /^\[?([^\]]*?)\]?:(\d+)$/.exec(words[1] ?? '');
      if (m) bind = { ...bind, address6: m[1]! };
    } else if (words[0] === 'bind' && bind.port === 0) {
      const m = /^\[?([^\]]*?)\]?:(\d+)$/.exec(words[1] ?? '');
      if (m) bind = { address: m[1]!, port: Number(m[2]) };
      const crtList = words[2] === 'ssl' && words[3] === 'crt-list' ? words[4] : undefined;
      const clientValidation = readClientValidation(words);
      if (crtList !== undefined)
        tls = {
          mode: 'Terminate',
          crtList,
          certificates: readCrtList(crtLists[crtList] ?? ''),
          ...(clientValidation ? { clientValidation } : {}),
        };
    } else if (words[0] === 'acl' && words[1] === 'portico_src' && words[2] === 'src')
      sourceRanges.push(...words.slice(3));
    else if (line === 'tcp-request connection reject unless portico_src' || line === SERVER_HEADER_RULE)
      continue;
    else if (words[0] === 'default_backend' && words.length === 2) defaultBackend = words[1]!;
    else rules.push(line);
  }
  if (!tls && reference.tls?.mode === 'Passthrough') tls = { mode: 'Passthrough' };
  const read: FrontendModel = {
    lb: reference.lb,
    listener: reference.listener,
    name: section.name,
    bind,
    mode,
    ...(tls ? { tls } : {}),
    sourceRanges,
    maps: reference.maps,
    backends: reference.backends,
    rules,
    defaultBackend,
    // In the global section (buffer sizes), not the frontend's: taken as applied.
    ...(reference.addedHeaderBytes !== undefined ? { addedHeaderBytes: reference.addedHeaderBytes } : {}),
  };
  const drift = lineDrift(
    section.lines,
    safely(() => frontendSection(read).slice(1)),
  );
  // Looked for even when not wanted, so a terminator left behind is a difference too.
  const name = tlsTerminatorName(section.name);
  if (reference.terminator || live.sections.has(`frontend ${name}`)) {
    const t = readTerminator(live.sections, name, crtLists, live.instance);
    read.terminator = t.terminator;
    drift.push(...t.drift);
  }
  return drift.length > 0 ? { ...read, configDrift: drift } : read;
}

/**
 * The live terminator of a mixed listener: its crt-list, client validation and rules from disk; the
 * lines the read cannot account for (or a missing section) as drift.
 */
function readTerminator(
  sections: ReadonlyMap<string, ConfigSection>,
  name: string,
  crtLists: Readonly<Record<string, string>>,
  instance: string,
): { terminator: TlsTerminator; drift: ConfigDrift } {
  const frontend = sections.get(`frontend ${name}`)?.lines ?? [];
  const backend = sections.get(`backend ${name}`)?.lines ?? [];
  let tls: TlsTerminator['tls'] = { mode: 'Terminate', crtList: '', certificates: [] };
  const rules: string[] = [];
  for (const line of frontend) {
    const words = line.split(/\s+/);
    if (words[0] === 'bind') {
      const at = words.indexOf('crt-list');
      const crtList = at > 0 ? words[at + 1] : undefined;
      const clientValidation = readClientValidation(words);
      if (crtList !== undefined)
        tls = {
          mode: 'Terminate',
          crtList,
          certificates: readCrtList(crtLists[crtList] ?? ''),
          ...(clientValidation ? { clientValidation } : {}),
        };
    } else if (line !== 'mode tcp' && line !== `default_backend ${HELPER_BACKENDS.tcpReject}`)
      rules.push(line);
  }
  const terminator: TlsTerminator = { name, tls, rules };
  const [expectedFrontend = [], expectedBackend = []] = safely(() =>
    terminatorSections(terminator, instance).map((s) => s.slice(1)),
  );
  return {
    terminator,
    drift: [...lineDrift(frontend, expectedFrontend), ...lineDrift(backend, expectedBackend)],
  };
}

/**
 * A backend section as its model; endpoints from its `server` lines (the ones not `disabled`). A
 * server written with weight 0 is a draining endpoint (the config has no drain state).
 */
export function readBackend(section: ConfigSection, reference: BackendModel): BackendModel {
  let mode = reference.mode;
  let slots = 0;
  let backupSlots = 0;
  let serverOptions: string[] | undefined;
  const endpoints: DesiredEndpoint[] = [];
  const healthCheck: BackendModel['healthCheck'] = {
    type: 'tcp',
    intervalSeconds: 0,
    timeoutSeconds: 0,
    rise: 0,
    fall: 0,
    ssl: false,
  };
  let retry: BackendModel['retry'];
  for (const line of section.lines) {
    const words = line.split(/\s+/);
    if (words[0] === 'mode' && words.length === 2) mode = words[1] as BackendModel['mode'];
    else if (words[0] === 'retries' && words.length === 2)
      retry = { retries: Number(words[1]), on: retry?.on ?? [] };
    else if (words[0] === 'retry-on') retry = { retries: retry?.retries ?? Number.NaN, on: words.slice(1) };
    else if (line === 'option httpchk') healthCheck.type = 'http';
    else if (line.startsWith('http-check send meth GET uri '))
      healthCheck.path = unquoteWord(line.slice('http-check send meth GET uri '.length));
    else if (words[0] === 'http-check' && words[1] === 'expect' && words[2] === 'status')
      healthCheck.expectStatus = words[3]!;
    else if (words[0] === 'timeout' && words[1] === 'check') healthCheck.timeoutSeconds = seconds(words[2]);
    else if (words[0] === 'server') {
      const server = readServer(words);
      if (server.backup) backupSlots++;
      else slots++;
      serverOptions ??= server.options;
      if (server.endpoint) endpoints.push(server.endpoint);
    }
  }
  const options = serverOptions ?? reference.serverOptions;
  const at = (word: string) => options[options.indexOf(word) + 1];
  if (options.includes('inter')) healthCheck.intervalSeconds = seconds(at('inter'));
  if (options.includes('rise')) healthCheck.rise = Number(at('rise'));
  if (options.includes('fall')) healthCheck.fall = Number(at('fall'));
  if (options.includes('port')) healthCheck.port = Number(at('port'));
  healthCheck.ssl = options.includes('check-ssl');
  const read: BackendModel = {
    lb: reference.lb,
    name: section.name,
    pool: reference.pool,
    mode,
    serverOptions: options,
    healthCheck,
    ...(retry ? { retry } : {}),
    slots,
    ...(backupSlots > 0 ? { backupSlots } : {}),
    endpoints: sortEndpoints(endpoints),
  };
  // Server contents are compared as endpoints; the round trip checks everything else.
  const expected = safely(() => backendSection(read, undefined).slice(1)).map(withoutSlotContents);
  const drift = lineDrift(section.lines.map(withoutSlotContents), expected);
  return drift.length > 0 ? { ...read, configDrift: drift } : read;
}

export function sortEndpoints(endpoints: DesiredEndpoint[]): DesiredEndpoint[] {
  return endpoints.sort((a, b) => (a.address < b.address ? -1 : a.address > b.address ? 1 : a.port - b.port));
}

/** `server s1 10.0.0.7:8080 weight 1 <options> [backup] [disabled]`. */
function readServer(words: string[]): { endpoint?: DesiredEndpoint; options: string[]; backup: boolean } {
  const m = /^\[?([^\]]*?)\]?:(\d+)$/.exec(words[2] ?? '');
  const rest = words.slice(3);
  let weight = 1;
  if (rest[0] === 'weight') {
    weight = Number(rest[1]);
    rest.splice(0, 2);
  }
  const disabled = rest.at(-1) === 'disabled';
  if (disabled) rest.pop();
  const backup = rest.at(-1) === 'backup';
  if (backup) rest.pop();
  const options = rest;
  if (disabled || !m) return { options, backup };
  return {
    options,
    backup,
    endpoint: {
      address: m[1]!,
      port: Number(m[2]),
      weight: weight === 0 ? 1 : weight,
      state: weight === 0 ? 'drain' : 'ready',
      ...(backup ? { backup: true as const } : {}),
    },
  };
}

function withoutSlotContents(line: string): string {
  const words = line.split(/\s+/);
  if (words[0] !== 'server') return line;
  const server = readServer(words);
  return ['server', words[1], '<slot>', ...server.options, ...(server.backup ? ['backup'] : [])].join(' ');
}

/** `+ line` for lines only on disk, `- line` for lines only in the rendering; order-sensitive. */
function lineDrift(live: readonly string[], rendered: readonly string[]): ConfigDrift {
  if (live.length === rendered.length && live.every((l, i) => l === rendered[i])) return [];
  const drift: string[] = [];
  const renderedSet = new Set(rendered);
  const liveSet = new Set(live);
  for (const l of live) if (!renderedSet.has(l)) drift.push(`+ ${l}`);
  for (const l of rendered) if (!liveSet.has(l)) drift.push(`- ${l}`);
  return drift.length > 0 ? drift : ['~ lines in another order'];
}

/** What was read may not render at all (a hand edit broke a value): then nothing matches. */
function safely<T>(render: () => T[]): T[] {
  try {
    return render();
  } catch {
    return [];
  }
}

function seconds(word: string | undefined): number {
  const m = /^(\d+)s$/.exec(word ?? '');
  return m ? Number(m[1]) : Number.NaN;
}

/** The inverse of configWord: `'...'` segments and `"..."` segments, concatenated. */
export function unquoteWord(word: string): string {
  let out = '';
  for (const m of word.matchAll(/'([^']*)'|"([^"]*)"|([^'"\s]+)/g)) out += m[1] ?? m[2] ?? m[3] ?? '';
  return out;
}
