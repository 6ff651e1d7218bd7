// Why one route cannot be rendered: it is left out whole with an UnsupportedValue notice.

export class RouteProblem extends Error {
  constructor(
    readonly feature: string,
    message: string,
  ) {
    super(message);
  }
}
