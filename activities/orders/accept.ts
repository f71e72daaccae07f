import { legClientOrderId } from '../../src/domain/basket.js';
import { Prisma, type Db } from '../../src/db/client.js';
import type { OrderStatus } from '../../src/domain/status.js';
import { planOrder, PlanRefused, type OrderPlan } from './plan.js';
import type { OrderAcceptance, OrderRequest } from './types.js';

// The order saga's first step, run by its `accept` update: validate, then in ONE statement reserve buying power
// (buys) or check the position (sells), insert the order, its legs and the Idempotency-Key. A refusal writes
// nothing. Idempotent by the order id: a repeat (activity retry, a second run for the same id) finds the row, and
// the orders primary key stops a concurrent twin (its statement fails whole, reservation included).
//
// Sells check the cached position: notional legs need a position whose market value covers the leg, option legs
// enough contracts. Nothing is held back for a sell, so two sells racing for one position are both accepted and
// the broker refuses the one it cannot fill (that order ends failed).

class Refusal extends Error {
  constructor(readonly status: 409 | 422, readonly title: string, detail: string) {
    super(detail);
  }
}

const refused = (r: Refusal): OrderAcceptance => ({ accepted: false, problem: { status: r.status, title: r.title, detail: r.message } });

async function existingOrder(db: Db, request: OrderRequest): Promise<OrderAcceptance | undefined> {
  const row = await db.order.findUnique({
    where: { id: request.orderId },
    select: { userId: true, status: true, legs: { select: { symbol: true }, orderBy: { createdAt: 'asc' } } },
  });
  if (!row) return undefined;
  if (row.userId !== request.userId) return refused(new Refusal(409, 'Conflict', 'This order id is taken'));
  return { accepted: true, id: request.orderId, status: row.status as OrderStatus, symbols: row.legs.map((l) => l.symbol) };
}

async function plan(db: Db, request: OrderRequest): Promise<OrderPlan> {
  let composition: unknown;
  if (request.assetType === 'basket') {
    const basket = await db.basket.findFirst({ where: { id: request.basketId!, isActive: true }, select: { compositionJson: true } });
    if (!basket) throw new Refusal(422, 'Unknown basket', 'No active basket has this id');
    composition = basket.compositionJson;
  }
  try {
    return planOrder(request, composition);
  } catch (error) {
    if (error instanceof PlanRefused) throw new Refusal(422, error.title, error.message);
    throw error;
  }
}

/**
 * Buys: reserve the amount, only if buying power covers it. Sells: the cached positions cover every leg (notional
 * legs by market value, option legs by contracts). Either way nothing happens once the order exists.
 */
function gate(request: OrderRequest, orderPlan: OrderPlan, legs: Prisma.Sql): Prisma.Sql {
  const { orderId, userId } = request;
  const amount = Prisma.sql`${orderPlan.amountUsd}::numeric`;
  const absent = Prisma.sql`NOT EXISTS (SELECT 1 FROM orders WHERE id = ${orderId}::uuid)`;
  if (request.side === 'buy') {
    return Prisma.sql`
      UPDATE balances SET buying_power_usd = buying_power_usd - ${amount}
      WHERE user_id = ${userId}::uuid AND buying_power_usd >= ${amount} AND ${absent}
      RETURNING user_id`;
  }
  return Prisma.sql`
    SELECT ${userId}::uuid AS user_id
    WHERE ${absent} AND (
      SELECT count(*) FROM ${legs}
      JOIN positions_cache p ON p.symbol = l.symbol
      WHERE p.user_id = ${userId}::uuid AND p.asset_type = ${request.assetType}::asset_type AND p.quantity > 0
        AND CASE WHEN l.quantity IS NULL THEN COALESCE(p.market_value, 0) >= l.notional_usd ELSE p.quantity >= l.quantity END
    ) = ${orderPlan.legs.length}`;
}

export async function acceptOrder(db: Db, request: OrderRequest): Promise<OrderAcceptance> {
  const earlier = await existingOrder(db, request);
  if (earlier) return earlier;

  let orderPlan: OrderPlan;
  try {
    orderPlan = await plan(db, request);
  } catch (error) {
    if (error instanceof Refusal) return refused(error);
    throw error;
  }
  const { orderId, userId } = request;
  const legs = Prisma.sql`unnest(
    ${orderPlan.legs.map((l) => l.symbol)}::text[],
    ${orderPlan.legs.map((l) => legClientOrderId(orderId, l.symbol))}::text[],
    ${orderPlan.legs.map((l) => l.notionalUsd ?? null)}::text[]::numeric[],
    ${orderPlan.legs.map((l) => (l.quantity === undefined ? null : String(l.quantity)))}::text[]::numeric[]
  ) AS l(symbol, client_order_id, notional_usd, quantity)`;
  const optionDetails = request.optionDetails ? JSON.stringify(request.optionDetails) : null;
  // One statement: the gate (reservation or position check), the order, its legs and the Idempotency-Key.
  const [row] = await db.$queryRaw<{ inserted: number; existing: string | null }[]>`
    WITH gate AS (${gate(request, orderPlan, legs)}),
    ins AS (
      INSERT INTO orders (id, user_id, basket_id, asset_type, option_details_json, side, amount_usd)
      SELECT ${orderId}::uuid, user_id, ${request.basketId ?? null}::uuid, ${request.assetType}::asset_type,
             ${optionDetails}::jsonb, ${request.side}::order_side, ${orderPlan.amountUsd}::numeric
      FROM gate RETURNING id
    ),
    leg_rows AS (
      INSERT INTO order_legs (order_id, symbol, client_order_id, notional_usd, quantity)
      SELECT ins.id, l.symbol, l.client_order_id, l.notional_usd, l.quantity FROM ins, ${legs}
      RETURNING 1
    ),
    key AS (
      INSERT INTO idempotency_keys (user_id, key, request_hash, resource_type, resource_id)
      SELECT ${userId}::uuid, ${request.idempotencyKey ?? null}, ${request.requestHash ?? ''}, 'order', id
      FROM ins WHERE ${request.idempotencyKey ?? null}::text IS NOT NULL
      ON CONFLICT (user_id, key) DO NOTHING
      RETURNING 1
    )
    SELECT (SELECT count(*) FROM ins)::int AS inserted,
           (SELECT status::text FROM orders WHERE id = ${orderId}::uuid) AS existing`;
  if (!row || row.inserted === 0) {
    // Not inserted: another attempt wrote it first (answer what it wrote), or the gate refused.
    if (row?.existing) return (await existingOrder(db, request))!;
    return refused(
      request.side === 'buy'
        ? new Refusal(422, 'Insufficient buying power', `Buying power does not cover ${orderPlan.amountUsd} USD`)
        : new Refusal(422, 'No position to sell', `No ${request.assetType} position covers this sell`),
    );
  }
  return { accepted: true, id: request.orderId, status: 'pending', symbols: orderPlan.legs.map((l) => l.symbol) };
}
