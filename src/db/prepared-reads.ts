import type { Deposit, IdempotencyKey, Order, OrderLeg, User } from '../generated/prisma/client.js';
import type { DepositStatus, WithdrawalStatus } from '../domain/status.js';
import type { Chain } from '../providers/ports.js';
import { ChainType } from '../generated/prisma/enums.js';
import { Prisma, poolOf, type Db } from './client.js';
import { batchedRows, type BatchedStatement, type Row } from './read-batches.js';

// The hottest reads, the API's and the saga steps', as prepared statements on the pool under Prisma's client
// (src/db/client.ts), batched: the reads of one turn of the event loop go as one execution (src/db/read-batches.ts).
// Prisma's client cost half the CPU of GET /v1/deposits/{id} and a round trip per read most of the rest
// (bench/README.md). The API's reads answer exactly the row type and values Prisma's findUnique answers
// (test/db/prepared-reads.test.ts compares them field by field, and reads of several users in one batch), so callers
// cannot tell them apart. The sagas' statements and the deposit accept's transaction are in src/db/raw.ts.

/** How a column's value comes back: as pg gives it, or a numeric's text as a Decimal (null stays null). */
type Decode = 'as-is' | 'decimal';

/** A model's columns: field -> [SQL expression, how its text comes back]. Enums and uuids as text, as Prisma gives them. */
type Columns<T> = { [K in keyof T]-?: [sql: string, decode: Decode] };

const userColumns: Columns<User> = {
  id: ['u.id::text', 'as-is'],
  authProviderId: ['u.auth_provider_id', 'as-is'],
  email: ['u.email', 'as-is'],
  phoneNumber: ['u.phone_number', 'as-is'],
  kycStatus: ['u.kyc_status::text', 'as-is'],
  passcodeHash: ['u.passcode_hash', 'as-is'],
  createdAt: ['u.created_at', 'as-is'],
  updatedAt: ['u.updated_at', 'as-is'],
};

const depositColumns: Columns<Deposit> = {
  id: ['d.id::text', 'as-is'],
  userId: ['d.user_id::text', 'as-is'],
  walletId: ['d.wallet_id::text', 'as-is'],
  chain: ['d.chain::text', 'as-is'],
  txHash: ['d.tx_hash', 'as-is'],
  token: ['d.token::text', 'as-is'],
  amountStablecoin: ['d.amount_stablecoin::text', 'decimal'],
  status: ['d.status::text', 'as-is'],
  confirmedAt: ['d.confirmed_at', 'as-is'],
  offRampInitiatedAt: ['d.off_ramp_initiated_at', 'as-is'],
  offRampCompletedAt: ['d.off_ramp_completed_at', 'as-is'],
  brokerFundedAt: ['d.broker_funded_at', 'as-is'],
  failureReason: ['d.failure_reason', 'as-is'],
  createdAt: ['d.created_at', 'as-is'],
  updatedAt: ['d.updated_at', 'as-is'],
};

const idempotencyKeyColumns: Columns<IdempotencyKey> = {
  userId: ['i.user_id::text', 'as-is'],
  key: ['i.key', 'as-is'],
  requestHash: ['i.request_hash', 'as-is'],
  resourceType: ['i.resource_type', 'as-is'],
  resourceId: ['i.resource_id::text', 'as-is'],
  createdAt: ['i.created_at', 'as-is'],
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

// Each takes its keys as arrays (src/db/read-batches.ts) and answers `_n`, the key's place, on every row.
const keysOf = (parts: string) => `unnest(${parts}) WITH ORDINALITY AS k`;
const statements = {
  user: {
    name: 'fundflow_users',
    text: `SELECT k.n::int AS "_n", ${selectList(userColumns)} FROM ${keysOf('$1::uuid[]')}(id, n) JOIN users u ON u.id = k.id`,
  },
  // A deposit report: the chain's transaction, whoever's it is (the route decides what the caller may see).
  depositByTransaction: {
    name: 'fundflow_deposits_by_transaction',
    text:
      `SELECT k.n::int AS "_n", ${selectList(depositColumns)} FROM ${keysOf('$1::chain_type[], $2::text[]')}(chain, tx_hash, n) ` +
      `JOIN deposits d ON d.chain = k.chain AND d.tx_hash = k.tx_hash`,
  },
  // A wallet a deposit can have reached: one with an address (not still being created).
  receivingWallet: {
    name: 'fundflow_receiving_wallets',
    text:
      `SELECT k.n::int AS "_n" FROM ${keysOf('$1::uuid[], $2::chain_type[]')}(user_id, chain, n) ` +
      `JOIN wallets w ON w.user_id = k.user_id AND w.chain = k.chain AND w.status <> 'creating'`,
  },
  deposit: {
    name: 'fundflow_deposits_of_users',
    text:
      `SELECT k.n::int AS "_n", ${selectList(depositColumns)} FROM ${keysOf('$1::uuid[], $2::uuid[]')}(id, user_id, n) ` +
      `JOIN deposits d ON d.id = k.id AND d.user_id = k.user_id`,
  },
  idempotencyKey: {
    name: 'fundflow_idempotency_keys',
    text:
      `SELECT k.n::int AS "_n", ${selectList(idempotencyKeyColumns)} FROM ${keysOf('$1::uuid[], $2::text[]')}(user_id, key, n) ` +
      `JOIN idempotency_keys i ON i.user_id = k.user_id AND i.key = k.key`,
  },
  // What a saga step checks and reads before it calls a provider (activities/funding/rows.ts): the status, and for a
  // deposit the USDC it moves and the wallet it moves it from.
  depositState: {
    name: 'fundflow_deposit_states',
    text:
      `SELECT k.n::int AS "_n", d.status::text AS status, d.amount_stablecoin::text AS "amountUsdc", d.chain::text AS chain, ` +
      `w.circle_wallet_id AS "circleWalletId" FROM ${keysOf('$1::uuid[]')}(id, n) JOIN deposits d ON d.id = k.id ` +
      `JOIN wallets w ON w.id = d.wallet_id`,
  },
  withdrawalStatus: {
    name: 'fundflow_withdrawal_statuses',
    text: `SELECT k.n::int AS "_n", w.status::text AS status FROM ${keysOf('$1::uuid[]')}(id, n) JOIN withdrawals w ON w.id = k.id`,
  },
  // The order's columns on every row of its legs (one row with null leg columns when it has no legs yet).
  orderWithLegs: {
    name: 'fundflow_orders_with_legs_of_users',
    text:
      `SELECT k.n::int AS "_n", ${selectList(orderColumns)}, ${selectList(legColumns, 'leg.')} ` +
      `FROM ${keysOf('$1::uuid[], $2::uuid[]')}(id, user_id, n) JOIN orders o ON o.id = k.id AND o.user_id = k.user_id ` +
      `LEFT JOIN order_legs l ON l.order_id = o.id`,
  },
} satisfies Record<string, BatchedStatement>;

/** What each key part must be for PostgreSQL to take it as the statement's type: a uuid, a chain_type, any text. */
type PartKind = 'uuid' | 'chain' | 'text';
const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const chainTypes = new Set<string>(Object.values(ChainType));
const accepted: Record<PartKind, (part: string) => boolean> = {
  uuid: (part) => uuid.test(part),
  chain: (part) => chainTypes.has(part),
  text: (part) => !part.includes('\u0000'),
};

/**
 * A key's rows. A part PostgreSQL would refuse (an id that is no uuid, an unknown chain, text with a NUL byte)
 * matches nothing here: it must not fail the other keys of its batch.
 */
function rowsOf(db: Db, statement: BatchedStatement, parts: string[], kinds: PartKind[]): Promise<Row[]> {
  if (parts.some((part, i) => !accepted[kinds[i]!](part))) return Promise.resolve([]);
  return batchedRows(poolOf(db), statement, parts);
}

export async function userOf(db: Db, id: string): Promise<User | null> {
  const [row] = await rowsOf(db, statements.user, [id], ['uuid']);
  return row ? decoded(userColumns, row) : null;
}

/** The deposit of the chain's transaction `txHash` (as stored: normalizedTxHash), whoever's it is. */
export async function depositByTransaction(db: Db, chain: Chain, txHash: string): Promise<Deposit | null> {
  const [row] = await rowsOf(db, statements.depositByTransaction, [chain, txHash], ['chain', 'text']);
  return row ? decoded(depositColumns, row) : null;
}

/** Whether `userId` has a wallet on `chain` that a transfer can have reached. */
export async function hasReceivingWallet(db: Db, userId: string, chain: Chain): Promise<boolean> {
  return (await rowsOf(db, statements.receivingWallet, [userId, chain], ['uuid', 'chain'])).length > 0;
}

/** The deposit `id` if it is `userId`'s. */
export async function depositOfUser(db: Db, id: string, userId: string): Promise<Deposit | null> {
  const [row] = await rowsOf(db, statements.deposit, [id, userId], ['uuid', 'uuid']);
  return row ? decoded(depositColumns, row) : null;
}

export async function idempotencyKeyOf(db: Db, userId: string, key: string): Promise<IdempotencyKey | null> {
  const [row] = await rowsOf(db, statements.idempotencyKey, [userId, key], ['uuid', 'text']);
  return row ? decoded(idempotencyKeyColumns, row) : null;
}

/** The order `id` with its legs if it is `userId`'s. */
export async function orderWithLegsOfUser(db: Db, id: string, userId: string): Promise<(Order & { legs: OrderLeg[] }) | null> {
  const rows = await rowsOf(db, statements.orderWithLegs, [id, userId], ['uuid', 'uuid']);
  if (rows.length === 0) return null;
  const legs = rows.filter((row) => row['leg.orderId'] !== null).map((row) => decoded(legColumns, row, 'leg.'));
  return { ...decoded(orderColumns, rows[0]!), legs };
}

/** A deposit as a saga step reads it before calling a provider. */
export interface DepositState {
  status: DepositStatus;
  /** Its USDC, e.g. `5.25`. */
  amountUsdc: string;
  chain: Chain;
  circleWalletId: string;
}

export async function depositStateOf(db: Db, id: string): Promise<DepositState | undefined> {
  const [row] = await rowsOf(db, statements.depositState, [id], ['uuid']);
  if (!row) return undefined;
  const { status, amountUsdc, chain, circleWalletId } = row as unknown as DepositState;
  // The exact amount without the column's trailing zeros, as Prisma's Decimal gives it (Circle refuses 18 places).
  return { status, amountUsdc: new Prisma.Decimal(amountUsdc).toFixed(), chain, circleWalletId };
}

export async function withdrawalStatusOf(db: Db, id: string): Promise<WithdrawalStatus | undefined> {
  const [row] = await rowsOf(db, statements.withdrawalStatus, [id], ['uuid']);
  return row?.status as WithdrawalStatus | undefined;
}
