import { Prisma, type Db } from '../../src/db/client.js';
import { TransitionError, type OrderStatus } from '../../src/domain/status.js';
import { predecessors } from './transitions.js';
import type { OrderSettlement } from './types.js';

// The order's last step, one guarded statement: move it to its terminal status and, for a buy, give back to
// buying power what the fills did not spend (amount - filled notional). Only the statement that actually moved
// the status releases money, so a retried settle releases nothing twice.

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
      RETURNING user_id, side, amount_usd
    ),
    filled AS (
      SELECT COALESCE(SUM(filled_amount_usd), 0) AS amount FROM order_legs WHERE order_id = ${orderId}::uuid
    ),
    released AS (
      UPDATE balances b SET buying_power_usd = b.buying_power_usd + GREATEST(s.amount_usd - f.amount, 0)
      FROM settled s, filled f
      WHERE b.user_id = s.user_id AND s.side = 'buy'
      RETURNING GREATEST(s.amount_usd - f.amount, 0) AS amount
    )
    SELECT (SELECT count(*)::int FROM settled) AS settled, (SELECT amount::text FROM released) AS released`;

  if (row && row.settled > 0) return { status, releasedUsd: row.released ?? '0.00' };
  const current = await db.order.findUniqueOrThrow({ where: { id: orderId }, select: { status: true } });
  // Settled by an earlier attempt whose answer was lost: nothing more to do.
  if (current.status === status) return { status, releasedUsd: '0.00' };
  throw new TransitionError('order', current.status, status);
}
