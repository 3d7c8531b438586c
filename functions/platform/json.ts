import * as z from './zod.ts';

/** JSON text parsed, or why it is not JSON: the one place the hub turns a string into a value. */
export function parseJson(text: string): { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly reason: string } {
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch (err) {
    // V8's message may quote the text it could not read (a phone number, a customer's words): the
    // quote goes, since the reason is logged and stored; what went wrong and where stays.
    return { ok: false, reason: `not JSON: ${(err as Error).message.replace(/".*"/s, 'the text')}` };
  }
}

/**
 * A zod schema for JSON text holding a value of `schema` (as Powertools parser's `JSONStringified`,
 * without another dependency): `JsonString(Envelope).safeParse(sqsBody)` parses and validates in one step.
 * `schema` may be classic zod or zod/mini.
 */
export function JsonString<T extends z.core.$ZodType>(schema: T) {
  return z.pipe(
    z.pipe(
      z.string(),
      z.transform((text: string, ctx) => {
        const parsed = parseJson(text);
        if (parsed.ok) return parsed.value;
        ctx.issues.push({ code: 'custom', message: parsed.reason, input: text });
        return z.NEVER;
      }),
    ),
    schema,
  );
}
