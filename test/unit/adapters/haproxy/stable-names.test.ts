import { describe, expect, it } from 'vitest';
import { materialize } from '#adapters/haproxy/config/materialize.js';
import { renderHaproxyModel } from '#adapters/haproxy/render.js';
import { type LooseLb, type LooseRoute, withDefaults } from '#test/support/loose-ir.js';

// Names carry no position: inserting or deleting one route changes only that route's lines, so
// the other routes' config stays byte for byte as it was (and a plain route is a map change only).

const pools = ['shop/a/80', 'shop/b/80'].map((id, i) => ({
  id,
  endpoints: [{ address: `10.0.0.${i + 1}`, port: 8080 }],
}));

function route(
  name: string,
  match: LooseRoute['match'],
  pool: string,
  hostname = 'a.example.com',
): LooseRoute {
  return {
    id: `HTTPRoute/shop/${name}/rule/0/match/0`,
    source: { kind: 'HTTPRoute', namespace: 'shop', name, rule: 0, match: 0 },
    hostname,
    match,
    action: { type: 'forward', backends: [{ pool, weight: 1 }] },
  };
}

const header = (value: string) => [{ type: 'Exact' as const, name: 'x-variant', value }];
const base = [
  route('exact-header', { path: { type: 'Exact', value: '/a/x' }, headers: header('1') }, 'shop/a/80'),
  route('prefix-header', { path: { type: 'Prefix', value: '/b' }, headers: header('2') }, 'shop/b/80'),
  route('plain', { path: { type: 'Prefix', value: '/c' } }, 'shop/a/80'),
  route('method', { path: { type: 'Prefix', value: '/d' }, method: 'GET' }, 'shop/b/80'),
];

function files(routes: LooseRoute[]): Record<string, string> {
  const lb = withDefaults(
    { listeners: [{ id: 'HTTP-80', port: 80, protocol: 'HTTP', routes }], pools } as unknown as LooseLb,
    { key: 't/Gateway/shop/web', provider: 'haproxy', scheme: 'internal', providerParameters: {} },
  );
  const { model, notices } = renderHaproxyModel(lb);
  expect(notices).toEqual([]);
  const bound = {
    ...model,
    frontends: model.frontends.map((f) => ({ ...f, bind: { ...f.bind, address: '127.0.0.1' } })),
  };
  return materialize([bound], {}, { stateDir: '/tmp/portico-test' }).files;
}

/** Lines only in `after` and lines only in `before`, of every file. */
function diff(before: Record<string, string>, after: Record<string, string>) {
  const lines = (f: Record<string, string>) =>
    new Set(Object.entries(f).flatMap(([path, c]) => c.split('\n').map((l) => `${path}: ${l}`)));
  const [b, a] = [lines(before), lines(after)];
  return { added: [...a].filter((l) => !b.has(l)), removed: [...b].filter((l) => !a.has(l)) };
}

describe('content-derived names', () => {
  it('inserting a header-matched route in the middle changes map files only: its pattern and target', () => {
    const inserted = route(
      'inserted',
      { path: { type: 'Prefix', value: '/e' }, headers: header('3') },
      'shop/a/80',
    );
    const before = files(base);
    const after = files([...base.slice(0, 2), inserted, ...base.slice(2)]);
    expect(after['haproxy.cfg']).toBe(before['haproxy.cfg']);
    const { added, removed } = diff(before, after);
    expect(removed).toEqual([]);
    // In the rules map its pattern (the vhost, any method, `/e` element-wise, the header) and tag;
    // in the targets map its tag and backend. Nothing else.
    const pattern = added.find((l) => l.includes('/e(?:/'));
    const tag = pattern?.split(' ').at(-1);
    expect(pattern).toMatch(
      /^maps\/map_\S+\.map: \^v_\w+\\n\[\^\\n\]\*\\n\/e\(\?:\/\[\^\\n\]\*\)\?\\n\(\?=.*x\\x2dvariant:\\x203\\r\\n\) rt_\w+$/,
    );
    expect(added).toEqual([
      pattern,
      expect.stringMatching(new RegExp(`^maps/map_\\S+\\.map: ${tag} be_\\S+shop-a-80`)),
    ]);
    // In IR order: after the `/b` header route's pattern, before the `/d` GET route's.
    const rulesFile = Object.entries(after).find(([, c]) => c.includes(pattern!.split(': ')[1]!))![1];
    const order = ['x\\x2dvariant:\\x202', 'x\\x2dvariant:\\x203', '\\nGET\\n'].map((s) =>
      rulesFile.indexOf(s),
    );
    expect(order.every((i, n) => i >= 0 && (n === 0 || i > order[n - 1]!))).toBe(true);
    // Deleting it again gives the first config back, byte for byte.
    expect(files(base)).toEqual(before);
  });

  it('a route with a regular expression keeps its vhost on ACL rules', () => {
    const before = files(base);
    const regex = route(
      'regex',
      { path: { type: 'RegularExpression', value: '/r/[0-9]+' }, headers: header('5') },
      'shop/a/80',
    );
    const after = files([...base, regex]);
    expect(after['haproxy.cfg']).not.toBe(before['haproxy.cfg']);
    // Every rule route of that vhost is an ACL rule again, in IR order.
    expect(after['haproxy.cfg']).toMatch(/req\.fhdr\(x-variant\)' -m str -- '1'/);
    expect(after['haproxy.cfg']).toMatch(/path -m reg -- /);
  });

  it('inserting a plain route in the middle of a vhost with header routes changes map files only', () => {
    const before = files(base);
    const after = files([
      ...base.slice(0, 1),
      route('new-plain', { path: { type: 'Prefix', value: '/f' } }, 'shop/b/80'),
      ...base.slice(1),
    ]);
    expect(after['haproxy.cfg']).toBe(before['haproxy.cfg']);
    const { added, removed } = diff(before, after);
    expect(removed).toEqual([]);
    expect(added.every((l) => l.startsWith('maps/') && l.includes('/f'))).toBe(true);
    expect(added).toHaveLength(2); // `/f` in the exact map, `/f/` in the prefix map
  });

  it('re-pointing a header route and re-weighting a split change map files only', () => {
    const split = (weight: number, pool = 'shop/b/80'): LooseRoute => ({
      ...route('split', { path: { type: 'Prefix', value: '/s' }, headers: header('4') }, 'shop/a/80'),
      action: {
        type: 'forward',
        backends: [
          { pool: 'shop/a/80', weight },
          { pool, weight: 1 },
        ],
      },
    });
    const before = files([...base, split(1)]);
    const repointed = [
      route('exact-header', { path: { type: 'Exact', value: '/a/x' }, headers: header('1') }, 'shop/b/80'),
      ...base.slice(1),
    ];
    for (const after of [
      files([...base, split(7)]),
      files([...repointed, split(1)]),
      files([...base, split(1, 'shop/a/80')]),
    ]) {
      expect(after['haproxy.cfg']).toBe(before['haproxy.cfg']);
      const { added, removed } = diff(before, after);
      expect(added.length).toBeGreaterThan(0);
      expect([...added, ...removed].every((l) => l.startsWith('maps/'))).toBe(true);
    }
  });

  it('a route on a new host changes map files only', () => {
    const before = files(base);
    const after = files([
      route('other-host', { path: { type: 'Exact', value: '/' } }, 'shop/a/80', 'b.example.com'),
      ...base,
    ]);
    expect(after['haproxy.cfg']).toBe(before['haproxy.cfg']);
    expect(diff(before, after).removed).toEqual([]);
  });

  it('a plain route after a header route it overlaps stays in the maps (the header route is tried first)', () => {
    // IR order: `/b` + header before `/b/y`; the ordered rules run before the map lookups.
    const before = files(base);
    const after = files([
      ...base,
      route('inside-b', { path: { type: 'Prefix', value: '/b/y' } }, 'shop/a/80'),
    ]);
    expect(after['haproxy.cfg']).toBe(before['haproxy.cfg']);
  });

  it('a plain route before a rule route it overlaps puts the vhost on the rules map, in IR order', () => {
    // IR order: `/d/z` before `/d` + GET. Rules first would let `/d` + GET win `/d/z`.
    const before = files(base);
    const after = files([
      ...base.slice(0, 3),
      route('inside-d', { path: { type: 'Prefix', value: '/d/z' } }, 'shop/a/80'),
      base[3]!,
    ]);
    expect(after['haproxy.cfg']).toBe(before['haproxy.cfg']);
    const rulesFile = Object.values(after).find((c) => c.includes('/d/z(?:/'))!;
    const order = ['/c(?:/', '/d/z(?:/', '\\nGET\\n/d(?:/'].map((s) => rulesFile.indexOf(s));
    expect(order.every((i, n) => i >= 0 && (n === 0 || i > order[n - 1]!))).toBe(true);
  });
});
