import type { StatusCondition } from './types.js';

/**
 * The condition types Portico writes (core/translate and core/status). On a Gateway, a GatewayClass,
 * a listener or Portico's route parent entry, a condition of any other type (`example.com/
 * PolicyAttached`) is another writer's: Portico's writes keep it as it is.
 */
export const PORTICO_CONDITION_TYPES: ReadonlySet<string> = new Set([
  'Accepted',
  'Programmed',
  'ResolvedRefs',
  'Conflicted',
  'PartiallyInvalid',
  'InsecureFrontendValidationMode',
]);

export function condition(
  type: string,
  status: boolean | 'Unknown',
  reason: string,
  message: string,
  observedGeneration?: number,
): StatusCondition {
  return {
    type,
    status: status === 'Unknown' ? 'Unknown' : status ? 'True' : 'False',
    reason,
    message,
    ...(observedGeneration !== undefined ? { observedGeneration } : {}),
  };
}

/** Replaces the condition of the same type, or appends it. */
export function setCondition(conditions: StatusCondition[], c: StatusCondition): void {
  const i = conditions.findIndex((x) => x.type === c.type);
  if (i >= 0) conditions[i] = c;
  else conditions.push(c);
}

export function findCondition(
  conditions: readonly StatusCondition[],
  type: string,
): StatusCondition | undefined {
  return conditions.find((c) => c.type === type);
}
