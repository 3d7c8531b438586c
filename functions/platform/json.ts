import * as z from 'zod';

/** JSON text parsed, or why it is not JSON: the one place the hub turns a string into a value. */
export function parseJson(text: string): { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly reason: string } {
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch (err) {
    return { ok: false, reason: `not JSON: ${(err as Error).message}` };
  }
}

/**
 * A zod schema for JSON text holding a value of `schema` (as Powertools parser's `JSONStringified`,
 * without another dependency): `JsonString(Envelope).safeParse(sqsBody)` parses and validates in one step.
 */
export function JsonString<T extends z.ZodType>(schema: T) {
  return z
    .string()
    .transform((text, ctx) => {
      const parsed = parseJson(text);
      if (parsed.ok) return parsed.value;
      ctx.addIssue({ code: 'custom', message: parsed.reason });
      return z.NEVER;
    })
    .pipe(schema);
}
