import type { Rejection } from '#events/rejection.js';

/** A request refused with a specific HTTP status and reason; turned into a response by `httpRejections`. */
export class RejectionError extends Error {
  override readonly name = 'RejectionError';
  constructor(readonly rejection: Rejection) {
    super(`${rejection.status} ${rejection.reason}: ${rejection.message}`);
  }
}
