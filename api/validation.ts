import { type z } from 'zod';
import { validationProblem } from './problems';

/** Parses one part of a request with its schema, or throws a 400 problem naming each path under `prefix`. */
export function parseRequest<S extends z.ZodType>(
  schema: S,
  value: unknown,
  prefix: (string | number)[] = [],
): z.infer<S> {
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw validationProblem(parsed.error, prefix);
  return parsed.data;
}
