import type pg from 'pg';
import { tracedStatement } from '../tracing.js';
import { Prisma, poolOf, type Db } from './client.js';

// The sagas' statements (guarded moves, bookings, the provider-movement log, the accept's transaction) built with
// Prisma.sql as everywhere, but sent on the pool under Prisma's client (src/db/client.ts) rather than through
// $queryRaw and $transaction: Prisma's client spent 150–390 µs of CPU per raw statement against 46–61 µs for the same
// statement on pg, more in an interactive transaction, and a deposit runs about twenty of them in the worker
// (bench/README.md). Elsewhere (the API's writes, operators' tools) Prisma's client stays.
//
// Rows come back as pg gives them, not as $queryRaw does: numeric, bigint and uuid as text, int as number,
// timestamptz as Date, boolean as boolean. Callers cast in SQL (::text, ::int) what they read.

/** A parameter as pg sends it: Decimals as their exact text (pg would send JSON: a quoted string). */
const pgValue = (value: unknown) => (Prisma.Decimal.isDecimal(value) ? (value as Prisma.Decimal).toFixed() : value);

const send = (on: pg.Pool | pg.PoolClient, statement: Prisma.Sql) =>
  tracedStatement(statement.text, () => on.query(statement.text, statement.values.map(pgValue)));

/** The statements of one transaction, on the connection it holds; outside one, each on a pooled connection. */
export interface Statements {
  queryRows<T>(statement: Prisma.Sql): Promise<T[]>;
  /** Answers how many rows the statement changed. */
  execute(statement: Prisma.Sql): Promise<number>;
}

const statementsOn = (on: pg.Pool | pg.PoolClient): Statements => ({
  queryRows: async <T>(statement: Prisma.Sql) => (await send(on, statement)).rows as T[],
  execute: async (statement) => (await send(on, statement)).rowCount ?? 0,
});

/** The rows of one statement. */
export const queryRows = <T>(db: Db, statement: Prisma.Sql): Promise<T[]> => statementsOn(poolOf(db)).queryRows<T>(statement);

/** Runs one statement; answers how many rows it changed. */
export const execute = (db: Db, statement: Prisma.Sql): Promise<number> => statementsOn(poolOf(db)).execute(statement);

/**
 * Runs `work` in one transaction on a connection of the pool: committed when it resolves, rolled back when it
 * throws. Each statement may take `statementTimeoutMs` (PostgreSQL cancels it, and the transaction rolls back).
 */
export async function inTransaction<T>(db: Db, work: (tx: Statements) => Promise<T>, statementTimeoutMs = 15_000): Promise<T> {
  const client = await poolOf(db).connect();
  let broken: Error | undefined;
  try {
    await client.query(`BEGIN; SET LOCAL statement_timeout = ${Math.trunc(statementTimeoutMs)}`);
    const result = await work(statementsOn(client));
    await client.query('COMMIT');
    return result;
  } catch (error) {
    // A connection whose ROLLBACK fails is in a state nobody knows: it leaves the pool.
    await client.query('ROLLBACK').catch((failed: unknown) => (broken = failed instanceof Error ? failed : new Error(String(failed))));
    throw error;
  } finally {
    client.release(broken);
  }
}
