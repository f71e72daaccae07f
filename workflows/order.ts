import { patched, proxyActivities, setHandler } from '@temporalio/workflow';
import type { createOrderActivities, LegPlacement, OrderAcceptance, OrderRequest, OrderSync } from '../activities/orders/index.js';
import { isTerminal, orderTransitions, type OrderStatus } from '../src/domain/status.js';
import { acceptUpdate, cancelOrderSignal, type AcceptResult } from './definitions.js';
import { databaseRetry, once, pollPatch, pollRetry, pollUntil, providerRetry, Saga, SagaAborted, untilSettledOrNews } from './saga.js';

// An order: a basket (one broker order per component), a stock or ETF (one notional market order, or a market
// order for a quantity to sell) or an option (one limit order for whole contracts) — pending -> accepted_by_broker
// -> partially_filled -> filled, or failed / canceled.
//
// 1. accept (update-with-start): reserve buying power (buy) or hold the quantity to sell out of the position
//    (sell), insert the order and its legs in one statement; a refusal (422 insufficient buying power, no position
//    to sell) ends the run with nothing written. An option order's amount_usd is its premium, quantity x
//    limitPrice x 100: what a buy reserves.
// 2. place every leg (deterministic client_order_id: placed once however often the step runs).
// 3. poll the legs until each is terminal at the broker, booking each fill increment once (a buy's into
//    positions_cache, a sell's proceeds into buying power); the order shows partially_filled once a fill is in.
// 4. settle: the terminal status, and what the fills did not use back (a buy's reservation, a sell's hold).
//
// Outcomes that are business results, not parking: the broker refusing a leg (funds, unknown asset) fails that
// leg; all legs refused -> failed with the reservation released and failure_reason set. cancelOrderSignal cancels
// what has not filled at the broker; the order ends canceled with the unfilled remainder back.
// A step that fails for good otherwise (broker auth, our database past its retries) parks for an operator:
// retry runs it again, abort cancels the legs at the broker and ends the order failed.
//
// Alpaca cancels asynchronously (pending_cancel, where fills still arrive), so neither path settles on the
// request: both poll until every leg is terminal at the broker and book what filled meanwhile. A leg we have no
// broker ref for (its placement parked) is looked up by its client_order_id before it is taken for never placed,
// and only once no placement is still running. An abort while the abort waits for the broker changes nothing:
// the money is known only when the broker is done.

export type OrderWorkflowInput = OrderRequest;

export interface OrderOutcome {
  orderId: string;
  status: OrderStatus;
  filledAmountUsd: string;
  failureReason?: string;
}

type OrderActivities = ReturnType<typeof createOrderActivities>;

/** Our own database: accept (with a sell's price lookup), settle. */
const db = proxyActivities<OrderActivities>({ startToCloseTimeout: '30 seconds', retry: databaseRetry });
/** A broker call (and recording its answer): place, cancel, sync. */
const broker = proxyActivities<OrderActivities>({ startToCloseTimeout: '1 minute', retry: providerRetry });
/** Waiting for the broker: a sync with `waitFrom` fails while nothing changed, and its retries are the polls. */
const waiting = proxyActivities<OrderActivities>({ startToCloseTimeout: '1 minute', retry: pollRetry });

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

  const sync = async (): Promise<OrderSync> => {
    const state = await saga.step('syncOrderLegs', () => broker.syncOrderLegs({ orderId }));
    saga.transition(state.status);
    return state;
  };
  /**
   * Syncs until every leg is terminal. Since `poll-by-activity-retry` each wait is one activity that returns when
   * the order's status changes (so partially_filled is published) or it ends, and a cancel request wakes it; runs
   * from before the patch replay their loop of syncs and workflow timers.
   */
  const untilTerminal = async (sendCancel: () => Promise<void>, wake: () => boolean): Promise<OrderSync> => {
    if (!patched(pollPatch)) {
      return pollUntil(
        async () => {
          await sendCancel();
          return sync();
        },
        (state) => state.terminal,
        wake,
      );
    }
    for (;;) {
      await sendCancel();
      const from = saga.status;
      const synced = await saga.step('syncOrderLegs', () =>
        untilSettledOrNews(() => waiting.syncOrderLegs({ orderId, waitFrom: from }), wake),
      );
      // Woken by a cancel request: send it, then wait again.
      if (!synced) continue;
      saga.transition(synced.value.status);
      if (synced.value.terminal) return synced.value;
    }
  };
  const refusals: string[] = [];
  let placing: Promise<LegPlacement>[] = [];
  let last: OrderSync;
  try {
    if (!cancelRequested) {
      placing = accepted.symbols.map((symbol) => saga.step(`placeOrderLeg ${symbol}`, () => broker.placeOrderLeg({ orderId, symbol })));
      for (const p of await Promise.all(placing)) if (!p.placed && p.reason) refusals.push(`${p.symbol}: ${p.reason}`);
    }
    last = await untilTerminal(
      async () => {
        if (cancelRequested && !cancelSent) {
          await saga.step('cancelOrderLegs', () => broker.cancelOrderLegs({ orderId }));
          cancelSent = true;
        }
      },
      () => cancelRequested && !cancelSent,
    );
  } catch (error) {
    if (!(error instanceof SagaAborted)) throw error;
    // A placement still running could reach the broker after the cancel looked for it: let each one end first.
    await Promise.allSettled(placing);
    for (;;) {
      try {
        await saga.step('cancelOrderLegs', () => broker.cancelOrderLegs({ orderId }));
        last = await untilTerminal(
          async () => undefined,
          () => false,
        );
        break;
      } catch (again) {
        if (!(again instanceof SagaAborted)) throw again;
      }
    }
    const settled = await saga.step('settleOrder', () => db.settleOrder({ orderId, status: 'failed', failureReason: error.message }));
    saga.transition(settled.status);
    return outcome(settled.status, last.filledAmountUsd, error.message);
  }

  const { outcome: status, failures } = last;
  const failureReason = status === 'failed' ? (refusals.length > 0 ? refusals : failures).join('; ') : undefined;
  const settled = await saga.step('settleOrder', () => db.settleOrder({ orderId, status, failureReason }));
  saga.transition(settled.status);
  return outcome(settled.status, last.filledAmountUsd, failureReason);
}
