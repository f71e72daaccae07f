import { Prisma, type Db } from '../../src/db/client.js';
import { depositStateOf, withdrawalStatusOf, type DepositState } from '../../src/db/prepared-reads.js';
import { queryRows } from '../../src/db/raw.js';
import { bookedWith, type Entry } from '../../src/ledger/book.js';
import { hasReached } from '../../src/domain/reach.js';
import {
  depositTransitions,
  RowFailed,
  TransitionError,
  withdrawalTransitions,
  type DepositStatus,
  type WithdrawalStatus,
} from '../../src/domain/status.js';

// Guarded status changes of deposits and withdrawals, each ONE statement: the UPDATE ... WHERE status IN (<from>)
// and the balance move it causes run together, and the balance moves only when the status did — so a retried
// activity never moves money twice. A retry that finds the row already moved is a success; a row anywhere else
// is a TransitionError. The ledger transaction that records the move is booked by the same statement.

interface Tables {
  deposits: DepositStatus;
  withdrawals: WithdrawalStatus;
}

const machines = { deposits: depositTransitions, withdrawals: withdrawalTransitions } as const;
const enumTypes = { deposits: 'deposit_status', withdrawals: 'withdrawal_status' } as const;

export interface Move<T extends keyof Tables> {
  table: T;
  id: string;
  from: readonly Tables[T][];
  to: Tables[T];
  /** Extra assignments, e.g. Prisma.sql`, confirmed_at = now()`. */
  set?: Prisma.Sql;
  /** The balances assignments the move causes, e.g. Prisma.sql`buying_power_usd = buying_power_usd + 1.00`. */
  balance?: Prisma.Sql;
  /** Move the balance only when the row came from one of these statuses (default: any of `from`). */
  balanceFrom?: readonly Tables[T][];
  /**
   * The ledger transaction the move books (reference `<table without s>:<id>`), when it moves money; its
   * expressions see the moved row as `moved` (every column, and `previous`). Booked when the balance moves.
   */
  ledger?: Pick<Entry, 'kind' | 'postings' | 'more'>;
}

/** The ledger reference of a deposit's or withdrawal's movements. */
export const ledgerReference = (table: keyof Tables, id: string) => Prisma.sql`${`${table.slice(0, -1)}:${id}`}::text`;

/** Applies the move; returns the status the row came from, or undefined when an earlier attempt already did it. */
export async function move<T extends keyof Tables>(db: Db, m: Move<T>): Promise<Tables[T] | undefined> {
  const table = Prisma.raw(m.table);
  const type = Prisma.raw(enumTypes[m.table]);
  const from = [...m.from] as string[];
  const balanceFrom = [...(m.balanceFrom ?? m.from)] as string[];
  const balance = m.balance
    ? Prisma.sql`, credited AS (
        UPDATE balances SET ${m.balance} FROM moved
        WHERE balances.user_id = moved.user_id AND moved.previous = ANY(${balanceFrom}::text[])
        RETURNING 1)`
    : Prisma.empty;
  const balanceMoved = m.balance
    ? Prisma.sql`, fundflow_require(
        NOT (previous = ANY(${balanceFrom}::text[])) OR (SELECT count(*) FROM credited) = 1,
        ${`${m.table} ${m.id}: no balances row to move money on`}) AS balance_moved`
    : Prisma.empty;
  const ledger = m.ledger
    ? Prisma.sql`, ledger_when AS (SELECT * FROM moved WHERE previous = ANY(${balanceFrom}::text[]))
      ${bookedWith({ ...m.ledger, name: 'ledger', when: 'ledger_when', reference: ledgerReference(m.table, m.id), userId: Prisma.sql`ledger_when.user_id` })}`
    : Prisma.empty;
  const rows = await queryRows<{ previous: Tables[T] }>(
    db,
    Prisma.sql`
    WITH old AS (
      SELECT id, status::text AS previous FROM ${table}
      WHERE id = ${m.id}::uuid AND status::text = ANY(${from}::text[]) FOR UPDATE
    ), moved AS (
      UPDATE ${table} t SET status = ${m.to}::${type} ${m.set ?? Prisma.empty}
      FROM old WHERE t.id = old.id RETURNING t.*, old.previous
    )${balance}${ledger}
    SELECT previous ${balanceMoved} FROM moved`,
  );
  if (rows.length > 0) return rows[0]!.previous;
  assertReached(m.table, m.id, m.to, await currentStatus(db, m.table, m.id));
  return undefined;
}

/**
 * A guarded move changed nothing, and `current` is the status read after it: fine when the row is at `to` or past
 * it (an earlier attempt moved it); RowFailed when it failed meanwhile; otherwise a TransitionError.
 */
export function assertReached(table: keyof Tables, id: string, to: string, current: string | undefined): void {
  if (current === 'failed' && to !== 'failed') throw new RowFailed(table, id, `move to ${to}`);
  const machine = machines[table] as Record<string, readonly string[]>;
  if (current === undefined || !hasReached(machine, current, to)) throw new TransitionError(table, current ?? 'missing', to);
}

/**
 * Checked before a step calls a provider: the row must not be `failed` (RowFailed). Without it, a run reset or
 * replayed against a failed row would move money again before the guarded UPDATE after the call noticed.
 */
export async function assertNotFailed(db: Db, table: keyof Tables, id: string, step: string): Promise<void> {
  assertStatusNotFailed(table, id, step, await currentStatus(db, table, id));
}

/** assertNotFailed for a deposit, answering what the step moves: the row's USDC, its chain and its wallet. */
export async function liveDeposit(db: Db, id: string, step: string): Promise<DepositState> {
  const row = await depositStateOf(db, id);
  assertStatusNotFailed('deposits', id, step, row?.status);
  return row!;
}

/** assertNotFailed on a status the step has read already (undefined: the row is missing). */
export function assertStatusNotFailed(table: keyof Tables, id: string, step: string, current: string | undefined): void {
  if (current === undefined) throw new TransitionError(table, 'missing', step);
  if (current === 'failed') throw new RowFailed(table, id, step);
}

/** The row's status, read with every other saga step's of this turn of the event loop (src/db/read-batches.ts). */
async function currentStatus(db: Db, table: keyof Tables, id: string): Promise<string | undefined> {
  return table === 'deposits' ? (await depositStateOf(db, id))?.status : withdrawalStatusOf(db, id);
}

/** USD as a SQL numeric literal parameter. */
export const usd = (amountUsd: string) => Prisma.sql`${amountUsd}::numeric`;
