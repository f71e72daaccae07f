import { HttpProblem } from './problem.js';
import { id } from './schemas.js';

/**
 * One of the caller's rows by its path id. Another user's row, a missing one and a malformed id all answer the
 * same 404, so ids reveal nothing about other users.
 */
export async function findOwned<T>(what: string, rawId: string, find: (id: string) => Promise<T | null>): Promise<T> {
  const row = id.safeParse(rawId).success ? await find(rawId) : null;
  if (!row) throw HttpProblem.notFound(what);
  return row;
}
