import { valueAtPath } from './diff-paths.js';
import { summarizePlan } from './plan-summary.js';
import type { AnyKinds, Change, Plan } from './types.js';

const SYMBOL = { create: '  +', update: '  ~', replace: '-/+', delete: '  -' } as const;
const VALUE_MAX = 72;
/** Created values are read whole more often than diffs: show more of them. */
const CREATED_MAX = 240;

/**
 * The plan as text, after `terraform plan`: one block per change (`+` create, `~` update, `-/+`
 * replace, `-` delete, `!` conflict) with the reason and the fields that change, then a summary.
 * For logs, `portico plan`, PR comments and the golden `*.plan.txt` files. With `values`, a create
 * also lists the top-level fields of what it creates, as `terraform plan` does.
 */
export function renderPlan(plan: Plan<AnyKinds>, options: { values?: boolean } = {}): string {
  const lines: string[] = [];
  lines.push(`Plan for ${plan.lbKey}:`, '');
  for (const c of plan.changes) {
    if (c.action === 'noop') continue;
    const order = c.action === 'replace' ? `  (${c.replaceOrder ?? 'create-first'})` : '';
    lines.push(`${SYMBOL[c.action]} ${c.action.padEnd(8)} ${c.address}${order}`);
    if (c.id !== undefined && c.action === 'delete') lines.push(`      id: ${c.id}`);
    lines.push(`      # ${c.reason}`);
    lines.push(...fieldLines(c));
    if (options.values && c.action === 'create') lines.push(...createdLines(c.after));
  }
  for (const c of plan.conflicts) {
    lines.push(`  ! conflict ${c.address}`, `      # ${c.reason}`);
  }
  const s = summarizePlan(plan);
  if (lines.length > 0 && lines.at(-1) !== '') lines.push('');
  lines.push(
    s.add + s.change + s.replace + s.destroy === 0
      ? 'No changes.'
      : `Plan: ${s.add} to add, ${s.change} to change, ${s.replace} to replace, ${s.destroy} to destroy.`,
  );
  if (s.conflicts > 0)
    lines.push(
      `${s.conflicts} conflict${s.conflicts === 1 ? '' : 's'}, held back: Portico never changes what it does not own.`,
    );
  return `${lines.join('\n')}\n`;
}

function fieldLines(c: Change<AnyKinds>): string[] {
  const forcing = new Set(c.replacePaths ?? []);
  return (c.changedPaths ?? []).map((path) => {
    const from = formatValue(valueAtPath(c.before, path));
    const to = formatValue(valueAtPath(c.after, path));
    return `      ${path || '(value)'}: ${from} → ${to}${forcing.has(path) ? '  # forces replacement' : ''}`;
  });
}

function formatValue(v: unknown, max = VALUE_MAX): string {
  if (v === undefined) return '(absent)';
  const text = JSON.stringify(withoutSecrets(v));
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

function createdLines(value: unknown): string[] {
  if (value === null || typeof value !== 'object' || Array.isArray(value))
    return [`      (value): ${formatValue(value, CREATED_MAX)}`];
  return Object.entries(value).map(([k, v]) => `      ${k}: ${formatValue(v, CREATED_MAX)}`);
}

const PRIVATE_KEY = /-----BEGIN [A-Z ]*PRIVATE KEY-----/;

/**
 * Plans go to terminals, logs and PR comments: a string holding a private key (a TLS Secret's key,
 * a certificate bundle with its key) is shown as Terraform shows sensitive values.
 */
function withoutSecrets(v: unknown): unknown {
  if (typeof v === 'string') return PRIVATE_KEY.test(v) ? '(sensitive value)' : v;
  if (Array.isArray(v)) return v.map(withoutSecrets);
  if (v !== null && typeof v === 'object')
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, withoutSecrets(x)]));
  return v;
}
