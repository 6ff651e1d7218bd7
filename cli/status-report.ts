import type { ObjectStatus, StatusCondition } from '#core/status/types.js';
import type { Notice } from '#core/translate/notice.js';

/** One line per object whose summary changed since the last report: what a person watches for. */
export function statusTransitions(before: readonly ObjectStatus[], after: readonly ObjectStatus[]): string[] {
  const old = new Map(before.map((s) => [idOf(s), summarise(s)]));
  const lines: string[] = [];
  for (const s of after) {
    const now = summarise(s);
    if (old.get(idOf(s)) !== now) lines.push(`${idOf(s)}: ${now}`);
  }
  const still = new Set(after.map(idOf));
  for (const id of old.keys()) if (!still.has(id)) lines.push(`${id}: gone`);
  return lines;
}

export function idOf(s: ObjectStatus): string {
  return `${s.kind} ${s.namespace ? `${s.namespace}/` : ''}${s.name}`;
}

function summarise(s: ObjectStatus): string {
  const st = s.status as {
    conditions?: StatusCondition[];
    addresses?: { value: string }[];
    parents?: { parentRef: { name: string; namespace?: string }; conditions: StatusCondition[] }[];
    loadBalancer?: { ingress?: { ip?: string; hostname?: string }[] };
  };
  if (st.conditions) {
    const addresses = st.addresses?.map((a) => a.value).join(', ');
    return `${conditionsText(st.conditions)}${addresses ? ` at ${addresses}` : ''}`;
  }
  if (st.parents) {
    return (
      st.parents
        .map(
          (p) =>
            `${p.parentRef.namespace ? `${p.parentRef.namespace}/` : ''}${p.parentRef.name} ${conditionsText(p.conditions)}`,
        )
        .join('; ') || 'no Portico parent'
    );
  }
  const ingress = st.loadBalancer?.ingress?.map((i) => i.ip ?? i.hostname).join(', ');
  return ingress ? `load balancer at ${ingress}` : 'load balancer pending';
}

function conditionsText(conditions: readonly StatusCondition[]): string {
  return conditions
    .map((c) => `${c.type}=${c.status}${c.status === 'True' ? '' : ` (${c.reason}: ${c.message})`}`)
    .join(' ');
}

export function noticeLine(n: Notice): string {
  const where = `${n.source.kind} ${n.source.namespace ? `${n.source.namespace}/` : ''}${n.source.name}`;
  return `${n.severity}: ${where}${n.field ? ` ${n.field}` : ''}: ${n.message}`;
}
