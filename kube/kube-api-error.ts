/** A Kubernetes API request that failed: the HTTP status and the API's `Status` reason and message. */
export class KubeApiError extends Error {
  constructor(
    readonly method: string,
    readonly path: string,
    /** HTTP status, or 0 when no response came (connection refused, reset, timeout). */
    readonly code: number,
    /** The `Status` object's reason (`NotFound`, `Conflict`, `Expired`...), when the server sent one. */
    readonly reason: string | undefined,
    message: string,
  ) {
    super(`${method} ${path}: ${code ? `${code}${reason ? ` ${reason}` : ''}: ` : ''}${message}`);
    this.name = 'KubeApiError';
  }
}
