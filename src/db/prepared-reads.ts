import type { Deposit, IdempotencyKey, Order, OrderLeg } from '../generated/prisma/client.js';
import { Prisma, poolOf, type Db } from './client.js';

// The API's hottest reads as prepared statements on the pool under Prisma's client (src/db/client.ts). Prisma's
// client cost half the CPU of GET /v1/deposits/{id} (the prepared statement: 1.01 -> 0.52 ms per request, measured
// in bench/README.md), and a replayed order made three of its queries. Each read answers exactly the row type and
// values Prisma's findUnique answers (test/db/prepared-reads.test.ts compares them field by field), so callers
// cannot tell them apart; everything else, writes above all, stays with Prisma.

/** How a column's value comes back: as pg gives it, or a numeric's text as a Decimal (null stays null). */
type Decode = 'as-is' | 'decimal';

/** A model's columns: field -> [SQL expression, how its text comes back]. Enums and uuids as text, as Prisma gives them. */
type Columns<T> = { [K in keyof T]-?: [sql: string, decode: Decode] };

const depositColumns: Columns<Deposit> = {
  id: ['id::text', 'as-is'],
  userId: ['user_id::text', 'as-is'],
  walletId: ['wallet_id::text', 'as-is'],
  chain: ['chain::text', 'as-is'],
  txHash: ['tx_hash', 'as-is'],
  token: ['token::text', 'as-is'],
  amountStablecoin: ['amount_stablecoin::text', 'decimal'],
  status: ['status::text', 'as-is'],
  confirmedAt: ['confirmed_at', 'as-is'],
  offRampInitiatedAt: ['off_ramp_initiated_at', 'as-is'],
  offRampCompletedAt: ['off_ramp_completed_at', 'as-is'],
  brokerFundedAt: ['broker_funded_at', 'as-is'],
  failureReason: ['failure_reason', 'as-is'],
  createdAt: ['created_at', 'as-is'],
  updatedAt: ['updated_at', 'as-is'],
};

const idempotencyKeyColumns: Columns<IdempotencyKey> = {
  userId: ['user_id::text', 'as-is'],
  key: ['key', 'as-is'],
  requestHash: ['request_hash', 'as-is'],
  resourceType: ['resource_type', 'as-is'],
  resourceId: ['resource_id::text', 'as-is'],
  createdAt: ['created_at', 'as-is'],
};

const orderColumns: Columns<Order> = {
  id: ['o.id::text', 'as-is'],
  userId: ['o.user_id::text', 'as-is'],
  basketId: ['o.basket_id::text', 'as-is'],
  assetType: ['o.asset_type::text', 'as-is'],
  optionDetailsJson: ['o.option_details_json', 'as-is'],
  side: ['o.side::text', 'as-is'],
  amountUsd: ['o.amount_usd::text', 'decimal'],
  status: ['o.status::text', 'as-is'],
  alpacaOrderRef: ['o.alpaca_order_ref', 'as-is'],
  failureReason: ['o.failure_reason', 'as-is'],
  createdAt: ['o.created_at', 'as-is'],
  updatedAt: ['o.updated_at', 'as-is'],
};

const legColumns: Columns<OrderLeg> = {
  orderId: ['l.order_id::text', 'as-is'],
  symbol: ['l.symbol', 'as-is'],
  clientOrderId: ['l.client_order_id', 'as-is'],
  notionalUsd: ['l.notional_usd::text', 'decimal'],
  quantity: ['l.quantity::text', 'decimal'],
  alpacaOrderRef: ['l.alpaca_order_ref', 'as-is'],
  status: ['l.status::text', 'as-is'],
  filledQuantity: ['l.filled_quantity::text', 'decimal'],
  filledAmountUsd: ['l.filled_amount_usd::text', 'decimal'],
  filledAvgPrice: ['l.filled_avg_price::text', 'decimal'],
  heldQuantity: ['l.held_quantity::text', 'decimal'],
  createdAt: ['l.created_at', 'as-is'],
  updatedAt: ['l.updated_at', 'as-is'],
};

/** `expr AS "<prefix>field", ...` */
const selectList = (columns: Columns<object>, prefix = '') =>
  Object.entries(columns)
    .map(([field, [sql]]) => `${sql} AS "${prefix}${field}"`)
    .join(', ');

function decoded<T>(columns: Columns<T>, row: Record<string, unknown>, prefix = ''): T {
  const out: Record<string, unknown> = {};
  for (const [field, [, decode]] of Object.entries(columns) as [string, [string, Decode]][]) {
    const value = row[`${prefix}${field}`];
    out[field] = decode === 'as-is' || value === null ? value : new Prisma.Decimal(value as string);
  }
  return out as T;
}

const statements = {
  deposit: {
    name: 'fundflow_deposit_of_user',
    text: `SELECT ${selectList(depositColumns)} FROM deposits WHERE id = $1 AND user_id = $2`,
  },
  idempotencyKey: {
    name: 'fundflow_idempotency_key',
    text: `SELECT ${selectList(idempotencyKeyColumns)} FROM idempotency_keys WHERE user_id = $1 AND key = $2`,
  },
  // One round trip: the order's columns on every row of its legs (none when it has no legs yet).
  orderWithLegs: {
    name: 'fundflow_order_with_legs_of_user',
    text:
      `SELECT ${selectList(orderColumns)}, ${selectList(legColumns, 'leg.')} FROM orders o ` +
      `LEFT JOIN order_legs l ON l.order_id = o.id WHERE o.id = $1 AND o.user_id = $2`,
  },
};

async function rowsOf(db: Db, statement: { name: string; text: string }, values: unknown[]): Promise<Record<string, unknown>[]> {
  return (await poolOf(db).query<Record<string, unknown>>({ ...statement, values })).rows;
}

/** The deposit `id` if it is `userId`'s (ids are uuids: validate before asking). */
export async function depositOfUser(db: Db, id: string, userId: string): Promise<Deposit | null> {
  const [row] = await rowsOf(db, statements.deposit, [id, userId]);
  return row ? decoded(depositColumns, row) : null;
}

export async function idempotencyKeyOf(db: Db, userId: string, key: string): Promise<IdempotencyKey | null> {
  const [row] = await rowsOf(db, statements.idempotencyKey, [userId, key]);
  return row ? decoded(idempotencyKeyColumns, row) : null;
}

/** The order `id` with its legs if it is `userId`'s. */
export async function orderWithLegsOfUser(db: Db, id: string, userId: string): Promise<(Order & { legs: OrderLeg[] }) | null> {
  const rows = await rowsOf(db, statements.orderWithLegs, [id, userId]);
  if (rows.length === 0) return null;
  const legs = rows.filter((row) => row['leg.orderId'] !== null).map((row) => decoded(legColumns, row, 'leg.'));
  return { ...decoded(orderColumns, rows[0]!), legs };
}
