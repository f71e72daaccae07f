import { Context } from '@temporalio/activity';
import { isLegTerminal } from '../../src/domain/basket.js';
import { Prisma, type Db } from '../../src/db/client.js';
import { execute, queryRows } from '../../src/db/raw.js';
import { ProviderError } from '../../src/providers/errors.js';
import type { BrokerOrder, BrokerPort } from '../../src/providers/ports.js';
import { toFailure } from '../failures.js';
import type { LegPlacement } from './types.js';

// The broker side of an order's legs: place one, cancel the open ones. Each leg's client_order_id is fixed when
// the order is accepted, so placing is safe to repeat: a retry first asks the broker for that id (the earlier
// attempt may have placed it before its answer was lost), and the adapter reconciles an ambiguous POST the same
// way, so a leg reaches the broker once whatever fails in between. For the same reason a leg without a broker
// ref is never taken for "never placed" on our word alone: cancelling looks it up by its client_order_id first.

/** The broker refused this order for good (funds, unknown asset, bad quantity): the leg fails, nothing to retry. */
function isRefusal(error: unknown): error is ProviderError {
  return error instanceof ProviderError && (error.kind === 'rejected' || error.kind === 'invalid_request');
}

type LegRow = { orderId: string; symbol: string; order: { assetType: string } };

/**
 * Records the broker's order as the leg's and, for a single-leg order, the order row's (orders.alpaca_order_ref is
 * unique), in one statement: neither is written without the other.
 */
async function recordPlacement(db: Db, leg: LegRow, placed: BrokerOrder): Promise<void> {
  const { orderId, symbol } = leg;
  await execute(
    db,
    Prisma.sql`
    WITH leg AS (
      UPDATE order_legs SET alpaca_order_ref = ${placed.id}, status = 'accepted_by_broker'
       WHERE order_id = ${orderId}::uuid AND symbol = ${symbol} AND alpaca_order_ref IS NULL
      RETURNING 1
    )
    UPDATE orders SET alpaca_order_ref = ${placed.id}
     WHERE id = ${orderId}::uuid AND alpaca_order_ref IS NULL AND ${leg.order.assetType !== 'basket'}`,
  );
}

/** Alpaca's cancel is a request; "not cancelable" (422) means filled or canceled meanwhile, 404 gone: the sync reads its end. */
async function requestCancel(broker: BrokerPort, brokerOrderId: string): Promise<void> {
  try {
    await broker.cancelOrder(brokerOrderId);
  } catch (error) {
    if (error instanceof ProviderError && (error.kind === 'rejected' || error.kind === 'not_found')) return;
    throw error;
  }
}

/** What placing a leg needs, amounts as the broker is sent them: the notional in cents, the quantity without trailing zeros. */
async function placingLegOf(db: Db, orderId: string, symbol: string) {
  const [leg] = await queryRows<{
    orderId: string;
    symbol: string;
    status: string;
    clientOrderId: string;
    alpacaOrderRef: string | null;
    notionalUsd: string | null;
    quantity: string | null;
    order: { side: 'buy' | 'sell'; assetType: string; optionDetailsJson: unknown };
  }>(
    db,
    Prisma.sql`
    SELECT l.order_id::text AS "orderId", l.symbol, l.status::text AS status, l.client_order_id AS "clientOrderId",
           l.alpaca_order_ref AS "alpacaOrderRef", l.notional_usd::text AS "notionalUsd",
           trim_scale(l.quantity)::text AS quantity,
           json_build_object('side', o.side, 'assetType', o.asset_type, 'optionDetailsJson', o.option_details_json) AS "order"
      FROM order_legs l JOIN orders o ON o.id = l.order_id
     WHERE l.order_id = ${orderId}::uuid AND l.symbol = ${symbol}`,
  );
  if (!leg) throw new Error(`order ${orderId} has no leg ${symbol}`);
  return leg;
}

const legWithOrder = { order: { select: { side: true, assetType: true, optionDetailsJson: true } } } as const;

export function createLegActivities(db: Db, broker: BrokerPort) {
  return {
    async placeOrderLeg(input: { orderId: string; symbol: string }): Promise<LegPlacement> {
      const { orderId, symbol } = input;
      const leg = await placingLegOf(db, orderId, symbol);
      if (leg.alpacaOrderRef !== null || leg.status !== 'pending') {
        return { symbol, placed: leg.alpacaOrderRef !== null };
      }
      const option = leg.order.assetType === 'option';
      const limitPrice = option ? (leg.order.optionDetailsJson as { limitPrice: string }).limitPrice : undefined;

      let placed: BrokerOrder | undefined;
      try {
        // Only the broker's refusal of the order itself fails the leg: a lookup that fails says nothing about it.
        if (Context.current().info.attempt > 1) placed = await broker.findOrderByClientId(leg.clientOrderId);
      } catch (error) {
        throw toFailure(error);
      }
      try {
        placed ??= await broker.placeOrder({
          clientOrderId: leg.clientOrderId,
          symbol,
          side: leg.order.side,
          notional: leg.notionalUsd ?? undefined,
          qty: leg.quantity ?? undefined,
          type: option ? 'limit' : 'market',
          limitPrice,
        });
      } catch (error) {
        if (isRefusal(error)) {
          await db.orderLeg.updateMany({ where: { orderId, symbol, status: 'pending', alpacaOrderRef: null }, data: { status: 'failed' } });
          return { symbol, placed: false, reason: error.message };
        }
        throw toFailure(error);
      }
      await recordPlacement(db, leg, placed);
      return { symbol, placed: true };
    },

    /**
     * Asks the broker to cancel every leg that is not terminal. A leg without a broker ref (never placed, or its
     * placement parked before the answer came) is looked up by its client_order_id first: found, it is recorded
     * and cancelled like the others; not found, it never reached the broker and is canceled here. Returns how
     * many cancels it asked for. The cancels complete at the broker later; syncOrderLegs waits for that.
     */
    async cancelOrderLegs(input: { orderId: string }): Promise<number> {
      const legs = await db.orderLeg.findMany({ where: { orderId: input.orderId }, include: legWithOrder });
      const asked = await Promise.all(
        legs
          .filter((leg) => !isLegTerminal(leg.status))
          .map(async (leg) => {
            try {
              let brokerOrderId = leg.alpacaOrderRef;
              if (brokerOrderId === null) {
                const found = await broker.findOrderByClientId(leg.clientOrderId);
                if (!found) {
                  await db.orderLeg.updateMany({
                    where: { orderId: leg.orderId, symbol: leg.symbol, status: 'pending', alpacaOrderRef: null },
                    data: { status: 'canceled' },
                  });
                  return 0;
                }
                await recordPlacement(db, leg, found);
                brokerOrderId = found.id;
              }
              await requestCancel(broker, brokerOrderId);
              return 1;
            } catch (error) {
              throw toFailure(error);
            }
          }),
      );
      return asked.reduce((sum: number, n) => sum + n, 0);
    },
  };
}
