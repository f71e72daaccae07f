import { proxyActivities, setHandler } from '@temporalio/workflow';
import type { createOrderActivities, OrderAcceptance, OrderRequest, OrderSync } from '../activities/orders/index.js';
import { isTerminal, orderTransitions, type OrderStatus } from '../src/domain/status.js';
import { acceptUpdate, cancelOrderSignal, type AcceptResult } from './definitions.js';
import { databaseRetry, once, pollUntil, providerRetry, Saga, SagaAborted } from './saga.js';

// An order: a basket (one broker order per component), a stock or ETF (one notional market order) or an option
// (one limit order for whole contracts) — pending -> accepted_by_broker -> partially_filled -> filled, or failed /
// canceled.
//
// 1. accept (update-with-start): reserve buying power (buy) or check the position (sell), insert the order and
//    its legs in one statement; a refusal (422 insufficient buying power, no position to sell) ends the run
//    with nothing written. An option order's amount_usd is its premium, quantity x limitPrice x 100: what a buy
//    reserves.
// 2. place every leg (deterministic client_order_id: placed once however often the step runs).
// 3. poll the legs until each is terminal, booking each fill increment once into positions_cache (and sell
//    proceeds into buying power); the order shows partially_filled once a fill is in.
// 4. settle: the terminal status, and for a buy the unspent reservation (amount - filled notional) back.
//
// Outcomes that are business results, not parking: the broker refusing a leg (funds, unknown asset) fails that
// leg; all legs refused -> failed with the reservation released and failure_reason set. cancelOrderSignal cancels
// what has not filled at the broker; the order ends canceled with the unfilled remainder back in buying power.
// A step that fails for good otherwise (broker auth, our database past its retries) parks for an operator:
// retry runs it again, abort cancels the open legs and ends the order failed.

export type OrderWorkflowInput = OrderRequest;

export interface OrderOutcome {
  orderId: string;
  status: OrderStatus;
  filledAmountUsd: string;
  failureReason?: string;
}

type OrderActivities = ReturnType<typeof createOrderActivities>;

/** Our own database: accept, settle. */
const db = proxyActivities<OrderActivities>({ startToCloseTimeout: '30 seconds', retry: databaseRetry });
/** A broker call (and recording its answer): place, cancel, sync. */
const broker = proxyActivities<OrderActivities>({ startToCloseTimeout: '1 minute', retry: providerRetry });

export async function orderWorkflow(input: OrderWorkflowInput): Promise<OrderOutcome | undefined> {
  const { orderId } = input;
  const saga = new Saga<OrderStatus>('order', input.userId, 'pending', orderTransitions);
  let cancelRequested = false;
  let cancelSent = false;

  const accept = once((): Promise<OrderAcceptance> => db.acceptOrder(input));
  setHandler(acceptUpdate, async (): Promise<AcceptResult> => {
    const result = await accept();
    return result.accepted ? { accepted: true, id: result.id } : result;
  });
  setHandler(cancelOrderSignal, () => {
    cancelRequested = true;
  });

  const accepted = await accept();
  // Refused: nothing was written, the API answers the problem.
  if (!accepted.accepted) return undefined;
  saga.begin(accepted.status);
  const outcome = (status: OrderStatus, filledAmountUsd: string, failureReason?: string): OrderOutcome => ({
    orderId,
    status,
    filledAmountUsd,
    ...(failureReason ? { failureReason } : {}),
  });
  // A later run for an order an earlier run finished (same id after that run closed): nothing left to do.
  if (isTerminal(orderTransitions, accepted.status)) return outcome(accepted.status, '0.00');

  const refusals: string[] = [];
  let sync: OrderSync;
  try {
    if (!cancelRequested) {
      const placements = await Promise.all(
        accepted.symbols.map((symbol) => saga.step(`placeOrderLeg ${symbol}`, () => broker.placeOrderLeg({ orderId, symbol }))),
      );
      for (const p of placements) if (!p.placed && p.reason) refusals.push(`${p.symbol}: ${p.reason}`);
    }
    sync = await pollUntil(
      async () => {
        if (cancelRequested && !cancelSent) {
          await saga.step('cancelOrderLegs', () => broker.cancelOrderLegs({ orderId }));
          cancelSent = true;
        }
        const state = await saga.step('syncOrderLegs', () => broker.syncOrderLegs({ orderId }));
        saga.transition(state.status);
        return state;
      },
      (state) => state.terminal,
      () => cancelRequested && !cancelSent,
    );
  } catch (error) {
    if (!(error instanceof SagaAborted)) throw error;
    // Stop what is still open at the broker, book what filled meanwhile, then fail the order.
    await saga.step('cancelOrderLegs', () => broker.cancelOrderLegs({ orderId }));
    const last = await saga.step('syncOrderLegs', () => broker.syncOrderLegs({ orderId }));
    const settled = await saga.step('settleOrder', () => db.settleOrder({ orderId, status: 'failed', failureReason: error.message }));
    saga.transition(settled.status);
    return outcome(settled.status, last.filledAmountUsd, error.message);
  }

  const { outcome: status, failures } = sync;
  const failureReason = status === 'failed' ? (refusals.length > 0 ? refusals : failures).join('; ') : undefined;
  const settled = await saga.step('settleOrder', () => db.settleOrder({ orderId, status, failureReason }));
  saga.transition(settled.status);
  return outcome(settled.status, sync.filledAmountUsd, failureReason);
}
