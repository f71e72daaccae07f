import { isLegTerminal, orderStatusFromLegs } from '../../src/domain/basket.js';
import { Prisma, type Db } from '../../src/db/client.js';
import { Money } from '../../src/domain/money.js';
import { contractMultiplier } from '../../src/domain/options.js';
import type { OrderStatus } from '../../src/domain/status.js';
import type { BrokerOrder, BrokerPort } from '../../src/providers/ports.js';
import { toFailure } from '../failures.js';
import { predecessors } from './transitions.js';
import type { OrderSync } from './types.js';

// Reads the open legs from the broker and books what changed. A fill is booked EXACTLY once per increment: the
// leg row records the filled quantity already applied, and one statement moves the leg from that quantity to the
// new one and applies only the difference to positions_cache (and, for sells, the proceeds to buying power). A
// repeated sync finds the leg already at the new quantity and books nothing.
//
// Money rules: a notional leg that filled completely cost (or raised) exactly its notional; otherwise the filled
// amount is filled qty x average price (x 100 for options), rounded half-up to the cent and never above the
// notional. A position's market value is its quantity at the latest fill price. Positions are kept per asset type
// of the order that made them (a basket's holdings are `basket` positions, which basket sells draw on).

type Leg = Prisma.OrderLegGetPayload<object>;
type Order = Prisma.OrderGetPayload<{ include: { legs: true } }>;

function legStatusOf(remote: BrokerOrder, filled: boolean): OrderStatus {
  switch (remote.status) {
    case 'filled':
      return 'filled';
    case 'canceled':
    case 'expired':
    case 'replaced':
      return 'canceled';
    case 'rejected':
      return 'failed';
    default:
      return filled ? 'partially_filled' : 'accepted_by_broker';
  }
}

function filledAmountUsd(leg: Leg, remote: BrokerOrder, quantity: Money, multiplier: number): Money {
  if (leg.notionalUsd !== null && remote.status === 'filled') return new Money(leg.notionalUsd.toString());
  const price = remote.filledAvgPrice ?? '0';
  const amount = quantity.times(price).times(multiplier).toDecimalPlaces(2, Money.ROUND_HALF_UP);
  return leg.notionalUsd !== null ? Money.min(amount, leg.notionalUsd.toString()) : amount;
}

function positionChange(order: Order, leg: Leg, delta: { quantity: Money; amount: Money; price: string }, multiplier: number) {
  const { userId, assetType } = order;
  const dq = delta.quantity.toFixed();
  const amount = delta.amount.toFixed(2);
  if (order.side === 'buy') {
    return Prisma.sql`
      position AS (
        INSERT INTO positions_cache AS p (user_id, symbol, quantity, average_price, market_value, asset_type, last_updated_at)
        SELECT ${userId}::uuid, ${leg.symbol}, ${dq}::numeric, ROUND(${amount}::numeric / (${dq}::numeric * ${multiplier}), 6),
               ROUND(${dq}::numeric * ${delta.price}::numeric * ${multiplier}, 2), ${assetType}::asset_type, now()
        FROM leg
        ON CONFLICT (user_id, symbol, asset_type) DO UPDATE SET
          average_price = ROUND((p.quantity * COALESCE(p.average_price, 0) * ${multiplier} + ${amount}::numeric)
                                / ((p.quantity + EXCLUDED.quantity) * ${multiplier}), 6),
          quantity = p.quantity + EXCLUDED.quantity,
          market_value = ROUND((p.quantity + EXCLUDED.quantity) * ${delta.price}::numeric * ${multiplier}, 2),
          last_updated_at = now()
        RETURNING 1
      )`;
  }
  return Prisma.sql`
    position AS (
      UPDATE positions_cache p SET
        quantity = GREATEST(p.quantity - ${dq}::numeric, 0),
        market_value = ROUND(GREATEST(p.quantity - ${dq}::numeric, 0) * ${delta.price}::numeric * ${multiplier}, 2),
        last_updated_at = now()
      FROM leg WHERE p.user_id = ${userId}::uuid AND p.symbol = ${leg.symbol} AND p.asset_type = ${assetType}::asset_type
      RETURNING 1
    ),
    proceeds AS (
      UPDATE balances b SET buying_power_usd = b.buying_power_usd + ${amount}::numeric
      FROM leg WHERE b.user_id = ${userId}::uuid
      RETURNING 1
    )`;
}

/** Books one leg's new broker state; returns nothing (a repeat or a lost race books nothing). */
async function bookLeg(db: Db, order: Order, leg: Leg, remote: BrokerOrder): Promise<void> {
  const multiplier = order.assetType === 'option' ? contractMultiplier : 1;
  const quantity = new Money(remote.filledQty || '0');
  const previousQuantity = new Money(leg.filledQuantity.toString());
  const status = legStatusOf(remote, quantity.gt(0));

  if (quantity.lte(previousQuantity)) {
    if (status !== leg.status) {
      await db.orderLeg.updateMany({
        where: { orderId: leg.orderId, symbol: leg.symbol, status: leg.status, filledQuantity: leg.filledQuantity },
        data: { status },
      });
    }
    return;
  }

  const amount = filledAmountUsd(leg, remote, quantity, multiplier);
  const price = remote.filledAvgPrice ?? amount.div(quantity.times(multiplier)).toFixed(6);
  const delta = { quantity: quantity.minus(previousQuantity), amount: amount.minus(leg.filledAmountUsd.toString()), price };
  await db.$queryRaw`
    WITH leg AS (
      UPDATE order_legs SET filled_quantity = ${quantity.toFixed()}::numeric, filled_amount_usd = ${amount.toFixed(2)}::numeric,
             filled_avg_price = ${price}::numeric, status = ${status}::order_status
      WHERE order_id = ${leg.orderId}::uuid AND symbol = ${leg.symbol} AND filled_quantity = ${previousQuantity.toFixed()}::numeric
      RETURNING order_id
    ),
    ${positionChange(order, leg, delta, multiplier)}
    SELECT count(*)::int AS booked FROM leg`;
}

/**
 * The non-terminal path an order walks while its legs are in flight: accepted_by_broker once a leg is at the
 * broker, then partially_filled once a fill is in (unless everything filled: settle moves it to filled).
 */
function progressOf(legs: readonly Leg[], outcome: OrderStatus): OrderStatus[] {
  if (!legs.some((l) => l.alpacaOrderRef !== null)) return [];
  const anyFilled = legs.some((l) => l.filledQuantity.gt(0));
  return anyFilled && outcome !== 'filled' ? ['accepted_by_broker', 'partially_filled'] : ['accepted_by_broker'];
}

/** Guarded moves along `path` in order, in one transaction; each one changes the row only from a predecessor. */
async function advance(db: Db, orderId: string, path: readonly OrderStatus[]): Promise<void> {
  if (path.length === 0) return;
  await db.$transaction(
    path.map((to) => db.order.updateMany({ where: { id: orderId, status: { in: predecessors(to) } }, data: { status: to } })),
  );
}

export function createFillActivities(db: Db, broker: BrokerPort) {
  return {
    async syncOrderLegs(input: { orderId: string }): Promise<OrderSync> {
      const order = await db.order.findUniqueOrThrow({ where: { id: input.orderId }, include: { legs: true } });
      const open = order.legs.filter((l) => l.alpacaOrderRef !== null && !isLegTerminal(l.status));
      let remote: { leg: Leg; state: BrokerOrder }[];
      try {
        remote = await Promise.all(open.map(async (leg) => ({ leg, state: await broker.getOrder(leg.alpacaOrderRef!) })));
      } catch (error) {
        throw toFailure(error);
      }
      for (const { leg, state } of remote) await bookLeg(db, order, leg, state);

      const legs = open.length > 0 ? await db.orderLeg.findMany({ where: { orderId: input.orderId } }) : order.legs;
      const outcome = orderStatusFromLegs(legs.map((l) => ({ status: l.status, filled: l.filledQuantity.gt(0) })));
      await advance(db, input.orderId, progressOf(legs, outcome));
      const current = await db.order.findUniqueOrThrow({ where: { id: input.orderId }, select: { status: true } });
      return {
        status: current.status as OrderStatus,
        terminal: legs.every((l) => isLegTerminal(l.status)),
        outcome,
        filledAmountUsd: legs.reduce((sum, l) => sum.plus(l.filledAmountUsd.toString()), new Money(0)).toFixed(2),
        failures: legs.filter((l) => l.status === 'failed').map((l) => `${l.symbol}: refused by the broker`),
      };
    },
  };
}
