import * as z from 'zod/mini';

/** CloudEvents 1.0 context attribute names: lower-case letters and digits (spec §3.1.1), ≤ 20 recommended. */
export const ATTRIBUTE_NAME = /^[a-z0-9]{1,20}$/;

const CORE_ATTRIBUTES = new Set([
  'specversion',
  'id',
  'source',
  'type',
  'subject',
  'time',
  'datacontenttype',
  'dataschema',
  'data',
  'data_base64',
]);

/** RFC 3339 date-time, as CloudEvents `time` requires. */
const RFC3339 = /^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;

const text = (min: number, max: number) => z.string().check(z.minLength(min), z.maxLength(max));

/**
 * A CloudEvents 1.0 event in the JSON format (structured mode, or one element of a batch), checked
 * for the envelope only: what `data` must be depends on `type` and is checked afterwards.
 * Extension attributes must have valid names and string, integer or boolean values.
 */
export const cloudEvent = z
  .looseObject({
    specversion: z.literal('1.0'),
    id: text(1, 256),
    source: text(1, 2048),
    type: text(1, 256),
    subject: z.optional(text(1, 1024)),
    time: z.optional(z.string().check(z.maxLength(64), z.regex(RFC3339, 'must be an RFC 3339 timestamp'))),
    datacontenttype: z.optional(text(1, 256)),
    dataschema: z.optional(text(1, 2048)),
    data: z.optional(z.unknown()),
    data_base64: z.optional(z.string()),
  })
  .check(
    z.superRefine((event, ctx) => {
      for (const [name, value] of Object.entries(event)) {
        if (CORE_ATTRIBUTES.has(name)) continue;
        if (!ATTRIBUTE_NAME.test(name)) {
          ctx.addIssue({
            code: 'custom',
            path: [name],
            message: 'extension attribute names are 1-20 lower-case letters or digits',
          });
        } else if (
          !(
            (typeof value === 'string' && value.length <= 1024) ||
            typeof value === 'boolean' ||
            (typeof value === 'number' && Number.isSafeInteger(value))
          )
        ) {
          ctx.addIssue({
            code: 'custom',
            path: [name],
            message: 'extension attribute values are strings (≤ 1024 chars), integers or booleans',
          });
        }
      }
    }),
  );

export type CloudEvent = z.infer<typeof cloudEvent>;

/** `metadata.name: Too big...` from the first issue, for a rejection message. */
export function describeIssue(error: {
  issues: readonly { path: readonly PropertyKey[]; message: string }[];
}): string {
  const issue = error.issues[0];
  if (!issue) return 'invalid';
  const path = issue.path.length ? issue.path.map((p) => String(p)).join('.') : '(root)';
  return `${path}: ${issue.message}`;
}
