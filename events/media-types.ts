/** CloudEvents HTTP binding content modes (https://github.com/cloudevents/spec/blob/v1.0.2/cloudevents/bindings/http-protocol-binding.md). */
export const STRUCTURED_MEDIA_TYPE = 'application/cloudevents+json';
export const BATCH_MEDIA_TYPE = 'application/cloudevents-batch+json';
/** Binary mode: attributes in `ce-*` headers, `data` as the body. Only JSON data is accepted. */
export const JSON_MEDIA_TYPE = 'application/json';

export type ContentMode = 'structured' | 'batch' | 'binary';

/** `Application/CloudEvents+JSON; charset=utf-8` → `application/cloudevents+json`. */
export function mediaTypeOf(contentType: string | undefined): string | undefined {
  if (contentType === undefined) return undefined;
  const bare = contentType.split(';', 1)[0]!.trim().toLowerCase();
  return bare === '' ? undefined : bare;
}
