import type { ObjectStatus, StatusCondition } from '#core/status/types.js';
import type { Notice } from '#core/translate/notice.js';
import { terminalSafe as safe } from './terminal-text.js';

// Every string from an object is printed through `safe`: manifests and clusters are untrusted.

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
  return `${safe(s.kind)} ${s.namespace ? `${safe(s.namespace)}/` : ''}${safe(s.name)}`;
}

function summarise(s: ObjectStatus): string {
  const st = s.status as {
    conditions?: StatusCondition[];
    addresses?: { value: string }[];
    parents?: { parentRef: { name: string; namespace?: string }; conditions: StatusCondition[] }[];
    loadBalancer?: { ingress?: { ip?: string; hostname?: string }[] };
  };
  if (st.conditions) {
    const addresses = st.addresses?.map((a) => safe(a.value)).join(', ');
    return `${conditionsText(st.conditions)}${addresses ? ` at ${addresses}` : ''}`;
  }
  if (st.parents) {
    return (
      st.parents
        .map(
          (p) =>
            `${p.parentRef.namespace ? `${safe(p.parentRef.namespace)}/` : ''}${safe(p.parentRef.name)} ${conditionsText(p.conditions)}`,
        )
        .join('; ') || 'no Portico parent'
    );
  }
  const ingress = st.loadBalancer?.ingress?.map((i) => safe(i.ip ?? i.hostname)).join(', ');
  return ingress ? `load balancer at ${ingress}` : 'load balancer pending';
}

function conditionsText(conditions: readonly StatusCondition[]): string {
  return conditions
    .map(
      (c) =>
        `${safe(c.type)}=${safe(c.status)}${c.status === 'True' ? '' : ` (${safe(c.reason)}: ${safe(c.message)})`}`,
    )
    .join(' ');
}

export function noticeLine(n: Notice): string {
  const where = `${safe(n.source.kind)} ${n.source.namespace ? `${safe(n.source.namespace)}/` : ''}${safe(n.source.name)}`;
  return `${n.severity}: ${where}${n.field ? ` ${safe(n.field)}` : ''}: ${safe(n.message)}`;
}
