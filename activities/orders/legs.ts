import { Context } from '@temporalio/activity';
import { isLegTerminal } from '../../src/domain/basket.js';
import type { Db } from '../../src/db/client.js';
import { ProviderError } from '../../src/providers/errors.js';
import type { BrokerOrder, BrokerPort } from '../../src/providers/ports.js';
import { toFailure } from '../failures.js';
import type { LegPlacement } from './types.js';

// The broker side of an order's legs: place one, cancel the open ones. Each leg's client_order_id is fixed when
// the order is accepted, so placing is safe to repeat: a retry first asks the broker for that id (the earlier
// attempt may have placed it before its answer was lost), and the adapter reconciles an ambiguous POST the same
// way, so a leg reaches the broker once whatever fails in between.

/** The broker refused this order for good (funds, unknown asset, bad quantity): the leg fails, nothing to retry. */
function isRefusal(error: unknown): error is ProviderError {
  return error instanceof ProviderError && (error.kind === 'rejected' || error.kind === 'invalid_request');
}

export function createLegActivities(db: Db, broker: BrokerPort) {
  return {
    async placeOrderLeg(input: { orderId: string; symbol: string }): Promise<LegPlacement> {
      const { orderId, symbol } = input;
      const leg = await db.orderLeg.findUniqueOrThrow({
        where: { orderId_symbol: { orderId, symbol } },
        include: { order: { select: { side: true, assetType: true, optionDetailsJson: true } } },
      });
      if (leg.alpacaOrderRef !== null || leg.status !== 'pending') {
        return { symbol, placed: leg.alpacaOrderRef !== null };
      }
      const option = leg.order.assetType === 'option';
      const limitPrice = option ? (leg.order.optionDetailsJson as { limitPrice: string }).limitPrice : undefined;

      let placed: BrokerOrder;
      try {
        const earlier = Context.current().info.attempt > 1 ? await broker.findOrderByClientId(leg.clientOrderId) : undefined;
        placed =
          earlier ??
          (await broker.placeOrder({
            clientOrderId: leg.clientOrderId,
            symbol,
            side: leg.order.side,
            notional: leg.notionalUsd?.toFixed(2),
            qty: leg.quantity?.toFixed(),
            type: option ? 'limit' : 'market',
            limitPrice,
          }));
      } catch (error) {
        if (isRefusal(error)) {
          await db.orderLeg.updateMany({ where: { orderId, symbol, status: 'pending', alpacaOrderRef: null }, data: { status: 'failed' } });
          return { symbol, placed: false, reason: error.message };
        }
        throw toFailure(error);
      }

      await db.$transaction([
        db.orderLeg.updateMany({
          where: { orderId, symbol, alpacaOrderRef: null },
          data: { alpacaOrderRef: placed.id, status: 'accepted_by_broker' },
        }),
        // A single-leg order carries its broker ref on the order row too (orders.alpaca_order_ref is unique).
        ...(leg.order.assetType === 'basket'
          ? []
          : [db.order.updateMany({ where: { id: orderId, alpacaOrderRef: null }, data: { alpacaOrderRef: placed.id } })]),
      ]);
      return { symbol, placed: true };
    },

    /** Cancels every open leg at the broker (DELETE) and every leg not placed yet; returns how many it asked. */
    async cancelOrderLegs(input: { orderId: string }): Promise<number> {
      const legs = await db.orderLeg.findMany({ where: { orderId: input.orderId } });
      await db.orderLeg.updateMany({
        where: { orderId: input.orderId, status: 'pending', alpacaOrderRef: null },
        data: { status: 'canceled' },
      });
      const open = legs.filter((l) => l.alpacaOrderRef !== null && !isLegTerminal(l.status));
      await Promise.all(
        open.map(async (leg) => {
          try {
            await broker.cancelOrder(leg.alpacaOrderRef!);
          } catch (error) {
            // Filled or canceled meanwhile (Alpaca: 422 "not cancelable"), or gone: the next sync reads its end state.
            if (error instanceof ProviderError && (error.kind === 'rejected' || error.kind === 'not_found')) return;
            throw toFailure(error);
          }
        }),
      );
      return open.length;
    },
  };
}
