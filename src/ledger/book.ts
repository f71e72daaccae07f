import { Prisma } from '../db/client.js';
import type { Account } from './accounts.js';

// Booking a ledger transaction inside the SQL statement that makes the change it records. `bookedWith` gives the
// CTEs to append to that statement's WITH: they insert one transaction per row of `when` (a CTE of the statement
// that yields one row when the change happened, none when it did not) and its postings. Amounts are SQL
// expressions over `when`'s columns, so the ledger books exactly what the statement moved. Zero postings are
// left out; the database refuses the transaction at commit unless every asset sums to zero and one posting is
// left, and (reference, kind) is unique, so a step can never book twice.

export interface Posting {
  account: Account;
  asset: Prisma.Sql;
  amount: Prisma.Sql;
}

export interface Entry {
  /** Name prefix of the CTEs (unique in the statement). */
  name: string;
  /** A CTE of the statement: one row when the change happened. Its columns are in scope of every expression. */
  when: string;
  /** What moved (deposit:<id>, withdrawal:<id>, order:<id>). */
  reference: Prisma.Sql;
  /** The step that moved it (confirmed, funded, fill:<symbol>:<quantity>, …). */
  kind: Prisma.Sql;
  userId: Prisma.Sql;
  postings: readonly Posting[];
  /**
   * More postings as a query of (account, asset, amount, user_id) rows, e.g. the reversal of what a reference
   * booked before; `when`'s columns are in scope.
   */
  more?: Prisma.Sql;
}

export function bookedWith(entry: Entry): Prisma.Sql {
  const when = Prisma.raw(entry.when);
  const tx = Prisma.raw(`${entry.name}_tx`);
  const postings = Prisma.raw(`${entry.name}_postings`);
  const listed = entry.postings.map((p) => Prisma.sql`SELECT ${p.account.name}, ${p.asset}, (${p.amount})::numeric, ${p.account.userId}`);
  const rows = Prisma.join([...listed, ...(entry.more ? [entry.more] : [])], ' UNION ALL ');
  return Prisma.sql`,
    ${tx} AS (
      INSERT INTO ledger_transactions (reference, kind, user_id)
      SELECT ${entry.reference}, ${entry.kind}, (${entry.userId})::uuid FROM ${when}
      RETURNING id
    ),
    ${postings} AS (
      INSERT INTO ledger_postings (transaction_id, account, asset, amount, user_id)
      SELECT t.id, p.account, p.asset, p.amount, p.user_id
      FROM ${tx} t CROSS JOIN ${when} CROSS JOIN LATERAL (${rows}) AS p(account, asset, amount, user_id)
      WHERE p.amount <> 0
      RETURNING 1
    )`;
}

/**
 * Postings that undo what `reference` booked so far on the firm's accounts (a saga's compensation put the money
 * back where it came from), as rows for `Entry.more`. They balance against what it booked on users' accounts.
 */
export function firmReversalOf(reference: Prisma.Sql): Prisma.Sql {
  return Prisma.sql`
    SELECT lp.account, lp.asset, -sum(lp.amount), NULL::uuid
    FROM ledger_postings lp JOIN ledger_transactions lt ON lt.id = lp.transaction_id
    WHERE lt.reference = ${reference} AND lp.user_id IS NULL
    GROUP BY lp.account, lp.asset HAVING sum(lp.amount) <> 0`;
}

/** A text parameter (a reference, a kind). */
export const text = (value: string) => Prisma.sql`${value}::text`;
