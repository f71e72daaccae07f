import { HttpProblem } from './problem.js';
import { id, type ListQuery } from './schemas.js';

// Newest-first pages for every list route: `?limit=&cursor=`, answered as `{ items, nextCursor }`. The cursor is
// the last row's id; Prisma's cursor paging compares (created_at, id) in SQL, keeping PostgreSQL's microseconds
// that a timestamp in the cursor itself would lose.

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

/** The findMany arguments for one page; spread them and add the owner filter. */
export function pageArgs(query: ListQuery) {
  if (query.cursor !== undefined && !id.safeParse(query.cursor).success) {
    throw HttpProblem.invalid('The cursor is not one this API returned', [{ path: 'query.cursor', message: 'unknown cursor' }]);
  }
  return {
    orderBy: [{ createdAt: 'desc' as const }, { id: 'desc' as const }],
    // One extra row tells whether another page exists.
    take: query.limit + 1,
    ...(query.cursor ? { cursor: { id: query.cursor }, skip: 1 } : {}),
  };
}

export function toPage<T extends { id: string }, U>(rows: T[], query: ListQuery, serialize: (row: T) => U): Page<U> {
  const items = rows.slice(0, query.limit);
  const nextCursor = rows.length > query.limit ? (items.at(-1)?.id ?? null) : null;
  return { items: items.map(serialize), nextCursor };
}
