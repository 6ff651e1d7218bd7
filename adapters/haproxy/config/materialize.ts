// Pure: every load balancer's model + the slot assignments → the files of one HAProxy instance
// (haproxy.cfg, map files, certificates, crt-lists), relative to the config directory. The config
// uses `default-path config`, so the relative map and certificate paths in rules resolve there.
//
// With a MaterializeCache, a model (and a map, a section) that is the same object as at the last
// call is not rendered again: a route change renders the one or two maps it touched, and an
// unchanged haproxy.cfg is the very same string as before (compared without reading it).

import {
  type BackendModel,
  certPath,
  type FrontendModel,
  type LbModel,
  type MapModel,
  mapPath,
} from '../model.js';
import { HELPER_BACKENDS } from '../naming.js';
import { commonEnds } from '../runtime/common-ends.js';
import { renderCrtList } from './certificates.js';
import { clientValidationBindOptions } from './client-validation.js';
import {
  assertConfigLine,
  cidr,
  configWord,
  identifier,
  integer,
  ipLiteral,
  mapKey,
  mapValue,
} from './escape.js';
import { retryLines } from './retry.js';
import { renderServerLine, serverSpec } from './server.js';
import { assignBackendSlots, type SlotAssignment } from './slots.js';
import { terminatorSections } from './tls-mixed.js';

export interface HaproxyGlobalSettings {
  /** Connections per process; absent = HAProxy derives it from its file-descriptor limit. */
  maxconn?: number;
  /**
   * Caps the file descriptors HAProxy sizes itself for (`fd-hard-limit`), for hosts whose
   * RLIMIT_NOFILE is huge or unlimited (HAProxy would allocate tables for all of it).
   */
  fdHardLimit?: number;
  nbthread?: number;
  /** Old workers are killed this long after a reload (long-lived connections; default 30 s). */
  hardStopAfterSeconds?: number;
  /** Old workers beyond this many reloads are killed (default 50). */
  maxReloads?: number;
  timeouts?: {
    connectMs?: number;
    clientMs?: number;
    serverMs?: number;
    httpRequestMs?: number;
    keepAliveMs?: number;
    queueMs?: number;
    tunnelMs?: number;
  };
}

export interface MaterializeOptions {
  /** Absolute directory of the runtime state: the admin socket lives there. */
  stateDir: string;
  global?: HaproxyGlobalSettings;
}

/** Slot assignments by backend name; a backend without one gets assignBackendSlots(undefined, ...). */
export type SlotAssignments = Readonly<Record<string, SlotAssignment>>;

/** What one model materializes to: its config sections (text) and its other files. */
interface ModelParts {
  /** The slot assignment each of its backends was rendered with, in section order. */
  assignments: (SlotAssignment | undefined)[];
  sections: string[];
  files: [string, string][];
}

/**
 * Keeps rendered parts between materialize calls, by identity of the objects they came from; and
 * each map file's lines by map name, so a new map object that differs in a few entries renders
 * only those.
 */
export interface MaterializeCache {
  models: WeakMap<LbModel, ModelParts>;
  maps: WeakMap<MapModel, string>;
  mapLines: Map<string, { items: MapModel['entries']; rendered: string[]; text: string }>;
  last?: { sections: string[]; cfg: string };
}

export function createMaterializeCache(): MaterializeCache {
  return { models: new WeakMap(), maps: new WeakMap(), mapLines: new Map() };
}

export const CONFIG_FILE = 'haproxy.cfg';
export const ADMIN_SOCKET = 'haproxy.sock';

const ms = (v: number | undefined, fallback: number) =>
  `${integer(v ?? fallback, 1, 2 ** 31 - 1, 'timeout')}ms`;

export function materialize(
  models: readonly LbModel[],
  assignments: SlotAssignments,
  options: MaterializeOptions,
  cache?: MaterializeCache,
): { files: Record<string, string> } {
  if (!/^\/[A-Za-z0-9._/-]*$/.test(options.stateDir))
    throw new Error(`stateDir must be an absolute path of [A-Za-z0-9._/-]: ${options.stateDir}`);
  const g = options.global ?? {};
  const t = g.timeouts ?? {};
  const sections: string[][] = [
    [
      'global',
      'master-worker',
      'default-path config',
      `stats socket ${options.stateDir}/${ADMIN_SOCKET} mode 600 level admin expose-fd listeners`,
      'stats timeout 2m',
      `hard-stop-after ${integer(g.hardStopAfterSeconds ?? 30, 1, 86_400 * 7, 'hardStopAfterSeconds')}s`,
      `mworker-max-reloads ${integer(g.maxReloads ?? 50, 1, 10_000, 'maxReloads')}`,
      // No default maxconn: HAProxy derives it from the FD limit (a fixed one can exceed `ulimit -n`).
      ...(g.maxconn !== undefined ? [`maxconn ${integer(g.maxconn, 1, 10_000_000, 'maxconn')}`] : []),
      ...(g.fdHardLimit !== undefined
        ? [`fd-hard-limit ${integer(g.fdHardLimit, 1_024, 100_000_000, 'fdHardLimit')}`]
        : []),
      ...(g.nbthread !== undefined ? [`nbthread ${integer(g.nbthread, 1, 64, 'nbthread')}`] : []),
      'tune.ssl.default-dh-param 2048',
      ...bufferTuning(models),
    ],
    [
      'defaults',
      'mode http',
      'option redispatch',
      // On a reload the old worker keeps an idle keep-alive connection until its next request and
      // answers that with `connection: close`, instead of closing it under a client that may be
      // sending on it (measured: ECONNRESET on reused connections at every reload without it).
      // The price: that one request is served by the old worker's config (measured in
      // bench/haproxy). hard-stop-after bounds how long an old worker can linger.
      'option idle-close-on-response',
      'retries 2',
      `timeout connect ${ms(t.connectMs, 5_000)}`,
      `timeout client ${ms(t.clientMs, 60_000)}`,
      `timeout server ${ms(t.serverMs, 60_000)}`,
      `timeout http-request ${ms(t.httpRequestMs, 10_000)}`,
      `timeout http-keep-alive ${ms(t.keepAliveMs, 60_000)}`,
      `timeout queue ${ms(t.queueMs, 30_000)}`,
      `timeout tunnel ${ms(t.tunnelMs, 3_600_000)}`,
    ],
    [
      `backend ${HELPER_BACKENDS.notFound}`,
      'mode http',
      `http-request return status 404 content-type text/plain string ${configWord('not found')}`,
    ],
    [
      `backend ${HELPER_BACKENDS.error}`,
      'mode http',
      `http-request return status 500 content-type text/plain string ${configWord('no backend available')}`,
    ],
    [`backend ${HELPER_BACKENDS.tcpReject}`, 'mode tcp', 'tcp-request content reject'],
  ];
  const files: Record<string, string> = {};
  const put = (path: string, content: string) => {
    if (path in files) throw new Error(`two parts write ${path}`);
    files[path] = content;
  };
  const texts = sections.map(sectionText);
  for (const m of [...models].sort((a, b) => (a.id < b.id ? -1 : 1))) {
    const parts = modelParts(m, assignments, options.stateDir, cache);
    texts.push(...parts.sections);
    for (const [path, content] of parts.files) put(path, content);
  }
  // The same sections as last time: the same string, so comparing it costs nothing.
  const last = cache?.last;
  const cfg =
    last && last.sections.length === texts.length && last.sections.every((t, i) => t === texts[i])
      ? last.cfg
      : `${texts.join('\n\n')}\n`;
  if (cache) {
    cache.last = { sections: texts, cfg };
    // Maps no model has any more.
    for (const name of cache.mapLines.keys()) if (!(mapPath(name) in files)) cache.mapLines.delete(name);
  }
  put(CONFIG_FILE, cfg);
  return { files };
}

/** One model's sections and files, from the cache when the model and its slot assignments are the same. */
function modelParts(
  m: LbModel,
  assignments: SlotAssignments,
  stateDir: string,
  cache: MaterializeCache | undefined,
): ModelParts {
  // Sections in name order, whatever order the parts come in: the same parts give the same file
  // (a backend that goes idle and comes back must not move, or the file differs and HAProxy reloads).
  const byName = <T extends { name: string }>(list: readonly T[]) =>
    [...list].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const hit = cache?.models.get(m);
  if (hit) {
    const backends = byName(m.backends);
    if (backends.every((b, i) => assignments[b.name] === hit.assignments[i])) return hit;
  }
  const parts: ModelParts = { assignments: [], sections: [], files: [] };
  for (const f of byName(m.frontends)) {
    parts.sections.push(sectionText(frontendSection(f)));
    if (f.tls?.mode === 'Terminate') parts.files.push([f.tls.crtList, renderCrtList(f.tls)]);
    if (f.terminator) {
      parts.sections.push(...terminatorSections(f.terminator, stateDir).map(sectionText));
      parts.files.push([f.terminator.tls.crtList, renderCrtList(f.terminator.tls)]);
    }
  }
  for (const b of byName(m.backends)) {
    parts.assignments.push(assignments[b.name]);
    parts.sections.push(sectionText(backendSection(b, assignments[b.name])));
  }
  for (const map of m.maps) {
    let content = cache?.maps.get(map);
    if (content === undefined) {
      content = cache ? renderMapFileReusing(map, cache) : renderMapFile(map);
      cache?.maps.set(map, content);
    }
    parts.files.push([mapPath(map.name), content]);
  }
  for (const c of m.certs) parts.files.push([certPath(identifier(c.name)), c.pem]);
  cache?.models.set(m, parts);
  return parts;
}

/** A section's lines as config text: the head, then the body indented; every line checked. */
function sectionText([head, ...body]: string[]): string {
  return [assertConfigLine(head!), ...body.map((l) => `  ${assertConfigLine(l)}`)].join('\n');
}

/**
 * Buffers for the largest header block a route adds (header modifiers). A message's headers must fit
 * in one buffer: HAProxy keeps `tune.maxrewrite` of it free for rewrites and answers 500 when they
 * need more. Default sizes (16 kB, 1 kB reserved) when no route adds much; otherwise the reserve
 * holds what is added and the rest keeps what a client may send by default (15 kB).
 */
export function bufferTuning(models: readonly LbModel[]): string[] {
  const added = Math.max(0, ...models.flatMap((m) => m.frontends.map((f) => f.addedHeaderBytes ?? 0)));
  // HAProxy's default reserve (1 kB) holds small additions.
  if (added <= 1_024) return [];
  const reserve = Math.ceil((added + 1_024) / 1_024) * 1_024;
  // maxrewrite may be at most half of bufsize.
  const bufsize = Math.max(16_384, reserve + 15_360, 2 * reserve);
  return [`tune.bufsize ${bufsize}`, `tune.maxrewrite ${reserve}`];
}

/**
 * A response names its server, as other proxies' do (the Ingress conformance suite asks for one); a
 * backend's own Server header is kept. http-after-response covers HAProxy's own answers too.
 */
export const SERVER_HEADER_RULE =
  'http-after-response set-header Server portico unless { res.hdr(server) -m found }';

export function frontendSection(f: FrontendModel): string[] {
  const port = integer(f.bind.port, 1, 65535, 'port');
  const binds = [f.bind.address, ...(f.bind.address6 !== undefined ? [f.bind.address6] : [])].map((a) => {
    const ip = ipLiteral(a);
    return `${ip.includes(':') ? `[${ip}]` : ip}:${port}`;
  });
  // ALPN h2 only where HAProxy speaks HTTP; a terminating TCP frontend passes bytes through.
  const alpn = f.mode === 'http' ? ' alpn h2,http/1.1' : '';
  const tls =
    f.tls?.mode === 'Terminate'
      ? ` ssl crt-list ${f.tls.crtList}${alpn}${clientValidationBindOptions(f.tls.clientValidation)}`
      : '';
  // A dual-stack listener: one bind per family, with the same TLS settings.
  const lines = [`frontend ${identifier(f.name)}`, `mode ${f.mode}`, ...binds.map((b) => `bind ${b}${tls}`)];
  lines.push(...sourceRangeLines(f.sourceRanges));
  // A response names its server, as other proxies' do (the Ingress conformance suite asks for one);
  // a backend's own Server header is kept. http-after-response covers HAProxy's own answers too.
  if (f.mode === 'http')
    lines.push('http-after-response set-header Server portico unless { res.hdr(server) -m found }');
  lines.push(...f.rules, `default_backend ${identifier(f.defaultBackend)}`);
  return lines;
}

/** `acl` lines of at most 32 ranges (HAProxy caps words per line at 64), then the reject. */
export function sourceRangeLines(ranges: readonly string[]): string[] {
  if (ranges.length === 0) return [];
  const lines: string[] = [];
  for (let i = 0; i < ranges.length; i += 32)
    lines.push(
      `acl portico_src src ${ranges
        .slice(i, i + 32)
        .map((r) => cidr(r))
        .join(' ')}`,
    );
  lines.push('tcp-request connection reject unless portico_src');
  return lines;
}

export function backendSection(b: BackendModel, previous: SlotAssignment | undefined): string[] {
  const hc = b.healthCheck;
  const lines = [
    `backend ${identifier(b.name)}`,
    `mode ${b.mode}`,
    'balance roundrobin',
    // Other zones' endpoints (backup slots) share the load when the zone's own are all down.
    ...((b.backupSlots ?? 0) > 0 ? ['option allbackups'] : []),
    ...retryLines(b.retry),
  ];
  if (hc.type === 'http') {
    lines.push(
      'option httpchk',
      `http-check send meth GET uri ${configWord(hc.path ?? '/')}`,
      `http-check expect status ${/^[0-9,-]+$/.test(hc.expectStatus ?? '') ? hc.expectStatus : '200-399'}`,
    );
  }
  lines.push(`timeout check ${integer(hc.timeoutSeconds, 1, 86_400, 'timeout')}s`);
  // Per-route timeouts: the frontend sets txn.tmo; set-timeout is only allowed in backends.
  if (b.mode === 'http')
    lines.push('http-request set-timeout server var(txn.tmo) if { var(txn.tmo) -m found }');
  const assignment = assignBackendSlots(previous, b.endpoints, b.slots, b.backupSlots);
  assignment.slots.forEach((e, i) => {
    lines.push(renderServerLine(serverSpec(b, i, e)));
  });
  (assignment.backupSlots ?? []).forEach((e, i) => {
    lines.push(renderServerLine(serverSpec(b, i, e, true)));
  });
  return lines;
}

/** `key value` per line; used for the file and (line by line) for runtime map payloads. */
export function renderMapFile(map: MapModel): string {
  return map.entries.map(mapLine).join('');
}

function mapLine(e: MapModel['entries'][number]): string {
  return `${mapKey(e.key)} ${mapValue(e.value)}\n`;
}

/**
 * renderMapFile, reusing the map's last version for the entries it shares: its lines, and its text
 * around the changed part (string slices and a concatenation, no copy of the rest).
 */
function renderMapFileReusing(map: MapModel, cache: MaterializeCache): string {
  const previous = cache.mapLines.get(map.name);
  if (!previous) {
    const rendered = map.entries.map(mapLine);
    const text = rendered.join('');
    cache.mapLines.set(map.name, { items: map.entries, rendered, text });
    return text;
  }
  const { head, tail } = commonEnds(previous.items, map.entries, sameMapEntry);
  const lines = previous.rendered;
  const middle = map.entries.slice(head, map.entries.length - tail).map(mapLine);
  const unchanged = middle.length === 0 && head + tail === lines.length;
  let headChars = 0;
  for (let i = 0; i < head; i++) headChars += lines[i]!.length;
  let tailChars = 0;
  for (let i = lines.length - tail; i < lines.length; i++) tailChars += lines[i]!.length;
  const text = unchanged
    ? previous.text
    : previous.text.slice(0, headChars) +
      middle.join('') +
      previous.text.slice(previous.text.length - tailChars);
  const rendered = unchanged
    ? lines
    : [...lines.slice(0, head), ...middle, ...lines.slice(lines.length - tail)];
  cache.mapLines.set(map.name, { items: map.entries, rendered, text });
  return text;
}

function sameMapEntry(a: MapModel['entries'][number], b: MapModel['entries'][number]): boolean {
  return a === b || (a.key === b.key && a.value === b.value);
}
