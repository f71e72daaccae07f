import { Prisma, poolOf, type Db } from './client.js';

// The sagas' statements (guarded moves, bookings, the provider-movement log) built with Prisma.sql as everywhere,
// but sent on the pool under Prisma's client (src/db/client.ts) rather than through $queryRaw: Prisma's client spent
// 150–390 µs of CPU per raw statement against 46–61 µs for the same statement on pg, and a deposit runs about
// twenty of them in the worker (bench/README.md). Each is one statement, so it needs no transaction of Prisma's;
// statements that belong to a $transaction stay on its client.
//
// Rows come back as pg gives them, not as $queryRaw does: numeric, bigint and uuid as text, int as number,
// timestamptz as Date, boolean as boolean. Callers cast in SQL (::text, ::int) what they read.

/** A parameter as pg sends it: Decimals as their exact text (pg would send JSON: a quoted string). */
const pgValue = (value: unknown) => (Prisma.Decimal.isDecimal(value) ? (value as Prisma.Decimal).toFixed() : value);

/** The rows of one statement. */
export async function queryRows<T>(db: Db, statement: Prisma.Sql): Promise<T[]> {
  return (await poolOf(db).query(statement.text, statement.values.map(pgValue))).rows as T[];
}

/** Runs one statement; answers how many rows it changed. */
export async function execute(db: Db, statement: Prisma.Sql): Promise<number> {
  return (await poolOf(db).query(statement.text, statement.values.map(pgValue))).rowCount ?? 0;
}
