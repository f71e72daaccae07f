import type pg from 'pg';

// Concurrent reads of one statement as one round trip (DataLoader's idea, without its cache). Under load many
// requests wait on the same read at the same moment, and each round trip costs the API more than the row does: the
// write that wakes a PostgreSQL backend, the answer's parse, the pool's turn (bench/README.md: a deposit read's
// query was half its cost beyond an empty request). A batched statement takes its keys as arrays,
//   ... FROM unnest($1::uuid[], $2::uuid[]) WITH ORDINALITY AS k(id, user_id, n) JOIN ...
// and answers each row with `k.n::int AS "_n"`, the key's place in those arrays, so every caller gets exactly the rows
// of its own key, however many rows a key has, even when another caller's key matches nothing. Nothing is cached:
// a caller's rows come from a statement sent after it asked. Alone, a read is a batch of one that waited only for
// the end of the current turn of the event loop.

export interface BatchedStatement {
  name: string;
  /** Takes one array per key part, in order; answers `_n` (1-based, the key's place) on every row. */
  text: string;
}

export type Row = Record<string, unknown>;

interface Waiting {
  parts: string[];
  waiters: { resolve: (rows: Row[]) => void; reject: (error: unknown) => void }[];
}

/** Keys per execution: a larger turn's keys go as several executions (each on its own pooled connection). */
const maxKeysPerExecution = 100;

class Batch {
  private waiting = new Map<string, Waiting>();

  constructor(
    private readonly pool: pg.Pool,
    private readonly statement: BatchedStatement,
  ) {}

  rowsOf(parts: string[]): Promise<Row[]> {
    return new Promise((resolve, reject) => {
      if (this.waiting.size === 0) setImmediate(() => this.flush());
      // The same key twice in one turn (two requests for one row) is asked once; its callers share the rows, read-only.
      const id = parts.join('\u0000');
      let entry = this.waiting.get(id);
      if (!entry) this.waiting.set(id, (entry = { parts, waiters: [] }));
      entry.waiters.push({ resolve, reject });
    });
  }

  private flush(): void {
    const entries = [...this.waiting.values()];
    this.waiting = new Map();
    for (let start = 0; start < entries.length; start += maxKeysPerExecution) {
      void this.execute(entries.slice(start, start + maxKeysPerExecution));
    }
  }

  private async execute(entries: Waiting[]): Promise<void> {
    const values = entries[0]!.parts.map((_, part) => entries.map((entry) => entry.parts[part]));
    let rows: Row[];
    try {
      rows = (await this.pool.query<Row>({ ...this.statement, values })).rows;
    } catch (error) {
      for (const entry of entries) for (const waiter of entry.waiters) waiter.reject(error);
      return;
    }
    const byKey: Row[][] = entries.map(() => []);
    for (const row of rows) byKey[(row._n as number) - 1]!.push(row);
    entries.forEach((entry, i) => entry.waiters.forEach((waiter) => waiter.resolve(byKey[i]!)));
  }
}

const batches = new WeakMap<pg.Pool, Map<string, Batch>>();

/**
 * The rows of one key (its parts in the statement's order), read together with every other key asked for in this
 * turn of the event loop. Every part must be valid for its SQL type: a value PostgreSQL refuses fails the whole
 * execution, so callers validate first (ids are uuids).
 */
export function batchedRows(pool: pg.Pool, statement: BatchedStatement, parts: string[]): Promise<Row[]> {
  let byName = batches.get(pool);
  if (!byName) batches.set(pool, (byName = new Map()));
  let batch = byName.get(statement.name);
  if (!batch) byName.set(statement.name, (batch = new Batch(pool, statement)));
  return batch.rowsOf(parts);
}
