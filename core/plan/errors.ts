/** Two desired resources share an address: an adapter's render is broken. */
export class DuplicateAddressError extends Error {
  override readonly name = 'DuplicateAddressError';
  constructor(readonly address: string) {
    super(`two desired resources share the address ${address}`);
  }
}

/** Resources depend on each other in a circle, so no safe order exists: an adapter's diff spec is broken. */
export class DependencyCycleError extends Error {
  override readonly name = 'DependencyCycleError';
  constructor(readonly addresses: string[]) {
    super(`dependency cycle among ${addresses.join(', ')}`);
  }
}

/** An address that is not `<adapter>/<resource-kind>/<name>[/<sub>]`, or whose kind disagrees. */
export class InvalidAddressError extends Error {
  override readonly name = 'InvalidAddressError';
  constructor(
    readonly address: string,
    detail: string,
  ) {
    super(`invalid resource address ${JSON.stringify(address)}: ${detail}`);
  }
}
