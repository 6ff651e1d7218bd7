// Compute API errors as GCP sends them: `{"error":{code,message,errors:[{message,domain,reason}]}}`.
// The reasons are the ones the real API uses (notFound, alreadyExists, resourceInUseByAnotherResource,
// conditionNotMet, resourceNotReady, invalid, quotaExceeded, rateLimitExceeded, backendError). Rate-limit
// errors also carry a google.rpc.ErrorInfo detail, which google-gax promotes to `err.reason`.

export class ComputeApiError extends Error {
  constructor(
    readonly status: number,
    readonly reason: string,
    message: string,
    readonly domain = 'global',
    readonly errorInfoReason?: string,
  ) {
    super(message);
  }

  body(): unknown {
    const error: Record<string, unknown> = {
      code: this.status,
      message: this.message,
      errors: [{ message: this.message, domain: this.domain, reason: this.reason }],
    };
    if (this.errorInfoReason) {
      error.status = this.status === 429 ? 'RESOURCE_EXHAUSTED' : 'PERMISSION_DENIED';
      error.details = [
        {
          '@type': 'type.googleapis.com/google.rpc.ErrorInfo',
          reason: this.errorInfoReason,
          domain: 'googleapis.com',
          metadata: { service: 'compute.googleapis.com' },
        },
      ];
    }
    return { error };
  }
}

/** `projects/p/global/urlMaps/x`, the form GCP messages use. */
export type ResourcePath = string;

export const notFound = (path: ResourcePath) =>
  new ComputeApiError(404, 'notFound', `The resource '${path}' was not found`);

export const alreadyExists = (path: ResourcePath) =>
  new ComputeApiError(409, 'alreadyExists', `The resource '${path}' already exists`);

export const inUse = (kind: string, path: ResourcePath, user: ResourcePath) =>
  new ComputeApiError(
    400,
    'resourceInUseByAnotherResource',
    `The ${kind} resource '${path}' is already being used by '${user}'`,
  );

export const notReady = (path: ResourcePath) =>
  new ComputeApiError(400, 'resourceNotReady', `The resource '${path}' is not ready`);

export const staleFingerprint = () =>
  new ComputeApiError(
    412,
    'conditionNotMet',
    'Invalid fingerprint. The resource was changed since it was read: get it again and retry.',
  );

export const invalid = (field: string, message: string) =>
  new ComputeApiError(400, 'invalid', `Invalid value for field '${field}': ${message}`);

export const required = (field: string) =>
  new ComputeApiError(400, 'required', `Required field '${field}' not specified`);

export const tooLarge = (field: string, message: string) =>
  new ComputeApiError(400, 'fieldSizeTooLarge', `Invalid value for field '${field}': ${message}`);

export const quotaExceeded = (metric: string, limit: number, where: string) =>
  new ComputeApiError(
    403,
    'quotaExceeded',
    `Quota '${metric}' exceeded.  Limit: ${limit.toFixed(1)} ${where}.`,
    'usageLimits',
  );

export const rateLimitExceeded = (status: 403 | 429, method: string, errorInfo = true) =>
  new ComputeApiError(
    status,
    'rateLimitExceeded',
    `Quota exceeded for quota metric 'Queries' and limit 'Queries per minute' of service 'compute.googleapis.com' (${method})`,
    'usageLimits',
    errorInfo ? 'RATE_LIMIT_EXCEEDED' : undefined,
  );

export const serverError = (status: 500 | 503) =>
  status === 500
    ? new ComputeApiError(500, 'backendError', 'Internal error. Please try again or contact Google Support.')
    : new ComputeApiError(503, 'backendError', 'The service is currently unavailable.');
