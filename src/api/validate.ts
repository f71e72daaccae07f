import type { z } from 'zod';
import { HttpProblem, type FieldError } from './problem.js';

// Validation at the edge: every request part is parsed once by its zod schema; past this point types are trusted.

export type RequestPart = 'body' | 'query' | 'params' | 'header';

export function fieldErrors(error: z.ZodError, part: RequestPart): FieldError[] {
  return error.issues.map((issue) => ({
    path: [part, ...issue.path.map(String)].join('.'),
    message: issue.message,
  }));
}

/** Parses one part of a request, or throws the 400 problem that lists every invalid field. */
export function parse<S extends z.ZodType>(schema: S, value: unknown, part: RequestPart = 'body'): z.output<S> {
  // A bodiless request validates like an empty object, so its errors name the missing fields.
  const result = schema.safeParse(part === 'body' ? (value ?? {}) : value);
  if (result.success) return result.data;
  throw HttpProblem.invalid(`The request ${part} is invalid`, fieldErrors(result.error, part));
}
