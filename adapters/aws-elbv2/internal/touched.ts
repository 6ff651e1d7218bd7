/** Whether a change touches `field` (the field itself, or anything under it). */
export function touched(c: { changedPaths?: string[] }, field: string): boolean {
  return (c.changedPaths ?? []).some(
    (p) => p === field || p.startsWith(`${field}.`) || p.startsWith(`${field}[`),
  );
}
