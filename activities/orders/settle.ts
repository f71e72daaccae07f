import { Prisma, type Db } from '../../src/db/client.js';
import { TransitionError, type OrderStatus } from '../../src/domain/status.js';
import { settledEntry } from './ledger.js';
import { predecessors } from './transitions.js';
import type { OrderSettlement } from './types.js';

// The order's last step, one guarded statement: move it to its terminal status and give back what the fills did
// not use — for a buy, to buying power, the reservation they did not spend (amount - filled notional); for a sell,
// to positions_cache, each leg's held quantity the broker did not sell (held - filled), valued at the leg's fill
// price (else the position's own). Only the statement that actually moved the status gives anything back, so a
// retried settle gives back nothing twice. The saga settles only once every leg is terminal at the broker.

export async function settleOrder(
  db: Db,
  input: { orderId: string; status: OrderStatus; failureReason?: string },
): Promise<OrderSettlement> {
  const { orderId, status } = input;
  const from = predecessors(status);
  if (from.length === 0) throw new TransitionError('order', '*', status);
  const [row] = await db.$queryRaw<{ settled: number; released: string | null }[]>`
    WITH settled AS (
      UPDATE orders SET status = ${status}::order_status, failure_reason = ${input.failureReason ?? null}
      WHERE id = ${orderId}::uuid AND status IN (${Prisma.join(from.map((s) => Prisma.sql`${s}::order_status`))})
      RETURNING id, user_id, side, asset_type, amount_usd
    ),
    filled AS (
      SELECT COALESCE(SUM(filled_amount_usd), 0) AS amount FROM order_legs WHERE order_id = ${orderId}::uuid
    )${settledEntry(orderId)},
    released AS (
      UPDATE balances b SET buying_power_usd = b.buying_power_usd + GREATEST(s.amount_usd - f.amount, 0)
      FROM settled s, filled f
      WHERE b.user_id = s.user_id AND s.side = 'buy'
      RETURNING GREATEST(s.amount_usd - f.amount, 0) AS amount
    ),
    returned AS (
      INSERT INTO positions_cache AS p (user_id, symbol, quantity, average_price, market_value, asset_type, last_updated_at)
      SELECT s.user_id, l.symbol, l.held_quantity - l.filled_quantity, l.filled_avg_price,
             ROUND((l.held_quantity - l.filled_quantity) * l.filled_avg_price * (CASE WHEN s.asset_type = 'option' THEN 100 ELSE 1 END), 2),
             s.asset_type, now()
      FROM settled s JOIN order_legs l ON l.order_id = s.id
      WHERE s.side = 'sell' AND l.held_quantity > l.filled_quantity
      ON CONFLICT (user_id, symbol, asset_type) DO UPDATE SET
        quantity = p.quantity + EXCLUDED.quantity,
        market_value = ROUND((p.quantity + EXCLUDED.quantity) * COALESCE(
          EXCLUDED.average_price * (CASE WHEN p.asset_type = 'option' THEN 100 ELSE 1 END),
          p.market_value / NULLIF(p.quantity, 0),
          p.average_price * (CASE WHEN p.asset_type = 'option' THEN 100 ELSE 1 END)), 2),
        last_updated_at = now()
      RETURNING 1
    )
    SELECT (SELECT count(*)::int FROM settled) AS settled, (SELECT amount::text FROM released) AS released,
           fundflow_require(NOT EXISTS (SELECT 1 FROM settled WHERE side = 'buy') OR (SELECT count(*) FROM released) = 1,
             ${`order ${orderId}: no balances row to give the reservation back to`}) AS balance_moved`;

  if (row && row.settled > 0) return { status, releasedUsd: row.released ?? '0.00' };
  const current = await db.order.findUniqueOrThrow({ where: { id: orderId }, select: { status: true } });
  // Settled by an earlier attempt whose answer was lost: nothing more to do.
  if (current.status === status) return { status, releasedUsd: '0.00' };
  throw new TransitionError('order', current.status, status);
}
