// Ties an UnsafeValueError to the IR field it came from, so the notice names the field.

import { UnsafeValueError } from './escape.js';

export class FieldError extends Error {
  override readonly name: string = 'FieldError';
  constructor(
    readonly field: string,
    readonly kind: string,
    readonly reason: string,
  ) {
    super(`${field}: ${reason}`);
  }
}

/** Runs `fn`; an UnsafeValueError inside becomes a FieldError naming `field`. */
export function atField<T>(field: string, fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (err instanceof UnsafeValueError) throw new FieldError(field, err.kind, err.reason);
    throw err;
  }
}
