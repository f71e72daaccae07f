import { isLegTerminal, orderStatusFromLegs } from '../../src/domain/basket.js';
import { Prisma, type Db } from '../../src/db/client.js';
import { inTransaction } from '../../src/db/raw.js';
import { Money } from '../../src/domain/money.js';
import { contractMultiplier } from '../../src/domain/options.js';
import type { OrderStatus } from '../../src/domain/status.js';
import type { BrokerOrder, BrokerPort } from '../../src/providers/ports.js';
import { settledOr, toFailure } from '../failures.js';
import { fillEntry } from './ledger.js';
import { predecessors } from './transitions.js';
import type { OrderSync } from './types.js';

// Reads the open legs from the broker and books what changed. A fill is booked EXACTLY once per increment: the
// leg row records the broker's filled quantity already applied, and one statement moves the leg from that
// quantity to the new one and applies only the difference: a buy's into positions_cache, a sell's proceeds into
// buying power (the sold quantity already left positions_cache when the sell was accepted). A repeated sync finds
// the leg already at the new quantity and books nothing.
//
// Money rules: a notional leg that filled completely cost (or raised) exactly its notional; otherwise the booked
// amount is qty x average price (x 100 for options) in whole cents, half-up for a buy, down for a sell (never
// paying out more than the broker paid), and never above the notional. A sell is paid for at most the quantity it
// held: what the broker sold beyond it is the firm's, not the user's. Whatever the cents booked differ from what
// moved at the broker (rounding, a sell beyond its hold) is recorded in unallocated_funds (kind rounding, USD or
// the symbol, in the firm's favour when positive, source `order-leg:<client_order_id>:<filled qty>`) in the same
// statement. A position's market value is its quantity at the latest price we saw (a buy's fill, a sell's hold).
// Positions are kept per asset type of the order that made them (a basket's holdings are `basket` positions,
// which basket sells draw on).

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
      // Still working, pending_cancel included: a cancel is only a request until the broker says canceled.
      return filled ? 'partially_filled' : 'accepted_by_broker';
  }
}

/** A leg's fills so far, as booked and as the broker moved them. */
interface Booking {
  /** The broker's filled quantity. */
  quantity: Money;
  /** USD booked: paid from a buy's reservation, or a sell's proceeds. */
  amountUsd: Money;
  /** quantity x average price x multiplier: the cash that moved at the broker. */
  brokerUsd: Money;
  /** A sell's quantity sold beyond what it held. */
  excessQuantity: Money;
}

function booking(order: Order, leg: Leg, remote: BrokerOrder, multiplier: number): Booking {
  const quantity = new Money(remote.filledQty || '0');
  const price = remote.filledAvgPrice ?? '0';
  const brokerUsd = quantity.times(price).times(multiplier);
  const notional = leg.notionalUsd === null ? undefined : leg.notionalUsd.toString();
  const capped = (amount: Money) => (notional === undefined ? amount : Money.min(amount, notional));
  if (order.side === 'buy') {
    const amountUsd =
      notional !== undefined && remote.status === 'filled'
        ? new Money(notional)
        : capped(brokerUsd.toDecimalPlaces(2, Money.ROUND_HALF_UP));
    return { quantity, amountUsd, brokerUsd, excessQuantity: new Money(0) };
  }
  const held = new Money(leg.heldQuantity.toString());
  const paidQuantity = Money.min(quantity, held);
  const amountUsd =
    notional !== undefined && remote.status === 'filled' && quantity.lte(held)
      ? new Money(notional)
      : capped(paidQuantity.times(price).times(multiplier).toDecimalPlaces(2, Money.ROUND_DOWN));
  return { quantity, amountUsd, brokerUsd, excessQuantity: Money.max(quantity.minus(held), 0) };
}

/** The booking the leg row records (before this sync). */
function booked(order: Order, leg: Leg, multiplier: number): Booking {
  const quantity = new Money(leg.filledQuantity.toString());
  const held = new Money(leg.heldQuantity.toString());
  return {
    quantity,
    amountUsd: new Money(leg.filledAmountUsd.toString()),
    brokerUsd: quantity.times(leg.filledAvgPrice?.toString() ?? '0').times(multiplier),
    excessQuantity: order.side === 'sell' ? Money.max(quantity.minus(held), 0) : new Money(0),
  };
}

/** What this fill increment leaves unallocated: the USD rounding residue and, for a sell, the quantity beyond its hold. */
function residues(order: Order, leg: Leg, before: Booking, now: Booking, price: string) {
  // In the firm's favour: a buyer paid more than the broker took, or the broker paid more than a seller got.
  const favour = (b: Booking) => (order.side === 'buy' ? b.amountUsd.minus(b.brokerUsd) : b.brokerUsd.minus(b.amountUsd));
  const usd = favour(now).minus(favour(before));
  const excess = now.excessQuantity.minus(before.excessQuantity);
  const fill = `fill of ${now.quantity.toFixed()} ${leg.symbol} at ${price}`;
  const rows: { currency: string; amount: string; reason: string }[] = [];
  if (!usd.isZero()) {
    rows.push({
      currency: 'USD',
      amount: usd.toFixed(),
      reason: `${fill}: ${order.side === 'buy' ? 'charged' : 'credited'} ${now.amountUsd.toFixed(2)} USD for ${now.brokerUsd.toFixed()} USD at the broker`,
    });
  }
  if (!excess.isZero()) {
    rows.push({
      currency: leg.symbol,
      amount: excess.negated().toFixed(),
      reason: `${fill}: the broker sold ${now.excessQuantity.toFixed()} beyond the ${leg.heldQuantity.toFixed()} the sell held`,
    });
  }
  return rows;
}

function recordResidues(order: Order, leg: Leg, filledQuantity: Money, rows: ReturnType<typeof residues>): Prisma.Sql {
  if (rows.length === 0) return Prisma.empty;
  const source = `order-leg:${leg.clientOrderId}:${filledQuantity.toFixed()}`;
  return Prisma.sql`,
    residue AS (
      INSERT INTO unallocated_funds (kind, currency, amount, user_id, source, reason)
      SELECT 'rounding'::unallocated_kind, r.currency, r.amount::numeric, ${order.userId}::uuid, ${source}, r.reason
      FROM leg, unnest(${rows.map((r) => r.currency)}::text[], ${rows.map((r) => r.amount)}::text[], ${rows.map((r) => r.reason)}::text[])
        AS r(currency, amount, reason)
      ON CONFLICT (source, kind, currency) DO NOTHING
      RETURNING 1
    )`;
}

/** What a fill increment moves: a buy's quantity into positions_cache, a sell's proceeds into buying power. */
function fillEffect(order: Order, leg: Leg, delta: { quantity: Money; amount: Money; price: string }, multiplier: number) {
  const { userId, assetType } = order;
  const dq = delta.quantity.toFixed();
  const amount = delta.amount.toFixed(2);
  if (order.side === 'buy') {
    return Prisma.sql`,
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
  return Prisma.sql`,
    proceeds AS (
      UPDATE balances b SET buying_power_usd = b.buying_power_usd + ${amount}::numeric
      FROM leg WHERE b.user_id = ${userId}::uuid
      RETURNING 1
    )`;
}

/** Books one leg's new broker state; returns nothing (a repeat or a lost race books nothing). */
async function bookLeg(db: Db, order: Order, leg: Leg, remote: BrokerOrder): Promise<void> {
  const multiplier = order.assetType === 'option' ? contractMultiplier : 1;
  const before = booked(order, leg, multiplier);
  const now = booking(order, leg, remote, multiplier);
  const status = legStatusOf(remote, now.quantity.gt(0));

  if (now.quantity.lte(before.quantity)) {
    if (status !== leg.status) {
      await db.orderLeg.updateMany({
        where: { orderId: leg.orderId, symbol: leg.symbol, status: leg.status, filledQuantity: leg.filledQuantity },
        data: { status },
      });
    }
    return;
  }

  const paid = order.side === 'buy' ? now.quantity : Money.min(now.quantity, leg.heldQuantity.toString());
  const price = remote.filledAvgPrice ?? (paid.isZero() ? '0' : now.amountUsd.div(paid.times(multiplier)).toFixed(6));
  const delta = { quantity: now.quantity.minus(before.quantity), amount: now.amountUsd.minus(before.amountUsd), price };
  const held = new Money(leg.heldQuantity.toString());
  const increment = {
    symbol: leg.symbol,
    filledQuantity: now.quantity.toFixed(),
    quantity: delta.quantity.toFixed(),
    bookedUsd: delta.amount.toFixed(),
    brokerUsd: now.brokerUsd.minus(before.brokerUsd).toFixed(),
    heldQuantity: Money.min(now.quantity, held).minus(Money.min(before.quantity, held)).toFixed(),
  };
  const credited =
    order.side === 'sell'
      ? Prisma.sql`, fundflow_require(NOT EXISTS (SELECT 1 FROM leg) OR (SELECT count(*) FROM proceeds) = 1,
          ${`order ${order.id}: no balances row to credit the proceeds to`}) AS credited`
      : Prisma.empty;
  await db.$queryRaw`
    WITH leg AS (
      UPDATE order_legs SET filled_quantity = ${now.quantity.toFixed()}::numeric, filled_amount_usd = ${now.amountUsd.toFixed(2)}::numeric,
             filled_avg_price = ${price}::numeric, status = ${status}::order_status
      WHERE order_id = ${leg.orderId}::uuid AND symbol = ${leg.symbol} AND filled_quantity = ${before.quantity.toFixed()}::numeric
      RETURNING order_id
    )
    ${fillEffect(order, leg, delta, multiplier)}
    ${fillEntry(order, increment)}
    ${recordResidues(order, leg, now.quantity, residues(order, leg, before, now, price))}
    SELECT (SELECT count(*) FROM leg)::int AS booked ${credited}`;
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

/**
 * Guarded moves along `path` in order, in one transaction; each one changes the row only from a predecessor. One
 * statement per move, not one for the path: each status change is its own event (the outbox trigger).
 */
async function advance(db: Db, orderId: string, path: readonly OrderStatus[]): Promise<void> {
  if (path.length === 0) return;
  await inTransaction(db, async (tx) => {
    for (const to of path) {
      await tx.execute(
        Prisma.sql`UPDATE orders SET status = ${to}::order_status WHERE id = ${orderId}::uuid AND status::text = ANY(${predecessors(to)}::text[])`,
      );
    }
  });
}

export function createFillActivities(db: Db, broker: BrokerPort) {
  return {
    /**
     * Books what the broker filled since the last sync and advances the order. With `waitFrom` (the saga's wait) an
     * order still open at that status fails the attempt retryably (settledOr), so the wait is the retry policy's.
     */
    async syncOrderLegs(input: { orderId: string; waitFrom?: OrderStatus }): Promise<OrderSync> {
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
      const sync: OrderSync = {
        status: current.status as OrderStatus,
        terminal: legs.every((l) => isLegTerminal(l.status)),
        outcome,
        filledAmountUsd: legs.reduce((sum, l) => sum.plus(l.filledAmountUsd.toString()), new Money(0)).toFixed(2),
        failures: legs.filter((l) => l.status === 'failed').map((l) => `${l.symbol}: refused by the broker`),
      };
      return settledOr(input.waitFrom !== undefined, sync, (s) => !s.terminal && s.status === input.waitFrom);
    },
  };
}
