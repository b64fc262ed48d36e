/** Parsing a LangGraph API request body with zod: the first issue names the field, as on the REST API. */
import type { z } from 'zod';
import { clientError } from '../errors.ts';

export function parseJson<S extends z.ZodType>(schema: S, value: unknown): z.output<S> {
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  const issues = r.error.issues.map((i) => ({ path: i.path.map(String).join('.') || '(root)', code: i.code, message: i.message }));
  throw clientError('invalid_request', `body: ${issues[0]!.path}: ${issues[0]!.message}`, { where: 'body', issues });
}
