import { Money } from '../domain/money.js';
import { Prisma, type Db } from '../db/client.js';

// The seed's balances and positions_cache are projections of the users' ledger accounts, and what open orders and
// withdrawals hold are projections of the others. `projectionDrift` compares every one with the ledger, at any
// time, read-only: an empty answer means the tables the API reads tell what the ledger books.

export interface Drift {
  /** The ledger account, e.g. user:<id>:buying_power. */
  account: string;
  asset: string;
  /** What the ledger books (the account's balance, liability-positive). */
  ledger: string;
  /** What the projected table says. */
  projected: string;
}

/** Every drift, or only those of `userIds` (a test sharing its database with others). */
export async function projectionDrift(db: Db, userIds?: readonly string[]): Promise<Drift[]> {
  const only = userIds ? Prisma.sql`AND split_part(COALESCE(b.account, p.account), ':', 2) = ANY(${[...userIds]}::text[])` : Prisma.empty;
  const rows = await db.$queryRaw<{ account: string; asset: string; ledger: string; projected: string }[]>`
    WITH booked AS (
      SELECT account, asset, -sum(amount) AS amount FROM ledger_postings
      WHERE user_id IS NOT NULL GROUP BY account, asset
    ), projected AS (
      SELECT 'user:' || user_id || ':buying_power' AS account, 'USD' AS asset, buying_power_usd AS amount FROM balances
      UNION ALL
      SELECT 'user:' || user_id || ':pending_deposits', 'USD', pending_broker_deposits_usd FROM balances
      UNION ALL
      SELECT 'user:' || user_id || ':positions:' || asset_type, 'share:' || symbol, quantity FROM positions_cache
      UNION ALL
      SELECT 'user:' || user_id || ':withdrawing', 'USD', sum(amount_usd) FROM withdrawals
      WHERE status NOT IN ('complete', 'failed') GROUP BY user_id
      UNION ALL
      SELECT 'user:' || o.user_id || ':order_reserve', 'USD', sum(o.amount_usd - COALESCE(f.amount, 0)) FROM orders o
      LEFT JOIN (SELECT order_id, sum(filled_amount_usd) AS amount FROM order_legs GROUP BY order_id) f ON f.order_id = o.id
      WHERE o.side = 'buy' AND o.status NOT IN ('filled', 'failed', 'canceled') GROUP BY o.user_id
      UNION ALL
      SELECT 'user:' || o.user_id || ':sell_holds', 'share:' || l.symbol, sum(l.held_quantity - LEAST(l.filled_quantity, l.held_quantity))
      FROM orders o JOIN order_legs l ON l.order_id = o.id
      WHERE o.side = 'sell' AND o.status NOT IN ('filled', 'failed', 'canceled') GROUP BY o.user_id, l.symbol
    )
    SELECT COALESCE(b.account, p.account) AS account, COALESCE(b.asset, p.asset) AS asset,
           COALESCE(b.amount, 0)::text AS ledger, COALESCE(p.amount, 0)::text AS projected
    FROM booked b FULL JOIN (
      SELECT account, asset, sum(amount) AS amount FROM projected GROUP BY account, asset
    ) p ON p.account = b.account AND p.asset = b.asset
    WHERE COALESCE(b.amount, 0) <> COALESCE(p.amount, 0) ${only}
    ORDER BY 1, 2`;
  return rows.map((r) => ({ ...r, ledger: new Money(r.ledger).toFixed(), projected: new Money(r.projected).toFixed() }));
}

/** The firm's accounts as the ledger books them: (account, asset) -> balance (asset-positive). */
export async function firmBalances(db: Db): Promise<Map<string, Money>> {
  const rows = await db.$queryRaw<{ account: string; asset: string; amount: string }[]>`
    SELECT account, asset, sum(amount)::text AS amount FROM ledger_postings
    WHERE user_id IS NULL GROUP BY account, asset`;
  return new Map(rows.map((r) => [`${r.account} ${r.asset}`, new Money(r.amount)]));
}
