import { ActivityFailure, ApplicationFailure, setHandler } from '@temporalio/workflow';
import { transferNotSeen } from '../activities/funding/contract.js';
import type { DepositAcceptInput, DepositAcceptResult } from '../activities/funding/deposit.js';
import { depositTransitions, isTerminal, type DepositStatus } from '../src/domain/status.js';
import { db, depositLookup, provider } from './activities.js';
import { acceptUpdate, depositTransferUpdate, type AcceptResult } from './definitions.js';
import { completeMovement, isSagaEnd, MovementFailed, once, pollUntil, refused, Saga, SagaAborted } from './saga.js';

// One USDC deposit (id workflowIds.deposit(chain, txHash)), started by whoever reports it first with
// update-with-start: the app (POST /v1/deposits: accept looks the transfer up at Circle, briefly retrying) or
// Circle's webhook (the transfer comes in the input). Accept checks that the transfer reached a wallet of this
// user (else 404) and records the deposit `pending_confirmation` once per chain + hash.
//
//   transfer COMPLETE on chain -> confirmed_on_chain   (pending_broker_deposits_usd += usd)
//   Circle payout to the broker's bank -> off_ramp_initiated -> off_ramp_complete
//   journal into the brokerage account -> broker_funded (pending -= usd, buying_power += usd)
//
// Waits poll the provider on workflow timers; depositTransferUpdate (a later webhook) only wakes the first wait
// early, so a lost webhook costs latency, never the deposit. Final outcomes: the on-chain transfer FAILED, or the
// payout was refused or ended failed -> `failed` (what confirmation added to pending comes out). A funding
// journal that ends failed parks (the money sits at the broker's bank; an operator retry journals again under a
// new key). Any step failing for good parks; an operator abort ends the deposit `failed` the same way.
// A run for a deposit whose row is already terminal ends at once; one for an unfinished row replays the steps,
// each idempotent by workflow id + step, and picks up where the row is.

export type DepositInput = DepositAcceptInput;

export async function depositWorkflow(input: DepositInput): Promise<DepositStatus | undefined> {
  const saga = new Saga<DepositStatus>('deposit', input.userId, 'pending_confirmation', depositTransitions);
  let transferNews = false;
  setHandler(depositTransferUpdate, () => {
    transferNews = true;
  });

  const accept = once(async (): Promise<DepositAcceptResult> => {
    try {
      return await depositLookup.acceptDeposit(input);
    } catch (error) {
      if (error instanceof ActivityFailure && error.cause instanceof ApplicationFailure && error.cause.type === transferNotSeen) {
        return {
          accepted: false,
          problem: { status: 404, title: 'Not found', detail: 'Circle has not seen an inbound USDC transfer with this hash' },
        };
      }
      throw error;
    }
  });
  setHandler(acceptUpdate, async (): Promise<AcceptResult> => {
    const result = await accept();
    return result.accepted ? { accepted: true, id: result.id } : result;
  });

  const deposit = await accept();
  if (!deposit.accepted) return refused();
  saga.begin(deposit.status);
  if (isTerminal(depositTransitions, deposit.status)) return deposit.status;
  const { id: depositId, amountUsd, transferId } = deposit;

  try {
    const transfer = await saga.step('waitTransfer', () =>
      pollUntil(
        () => {
          transferNews = false;
          return provider.getChainTransfer({ transferId });
        },
        (t) => t.state !== 'pending',
        () => transferNews,
      ),
    );
    if (transfer.state === 'failed') {
      throw new MovementFailed('waitTransfer', `on-chain transfer ${transfer.providerState}${transfer.errorReason ? `: ${transfer.errorReason}` : ''}`);
    }
    if (amountUsd === '0.00') throw new MovementFailed('confirmDeposit', 'the amount is less than one cent');

    await saga.step('confirmDeposit', () => db.confirmDeposit({ depositId, amountUsd }));
    saga.transition('confirmed_on_chain');

    const payout = await saga.step('initiateOffRamp', () => provider.initiateOffRamp({ depositId, amountUsd }));
    if (payout.status === 'failed') throw new MovementFailed('initiateOffRamp', `payout refused: ${payout.errorCode ?? 'failed'}`);
    saga.transition('off_ramp_initiated');
    const paid = await saga.step('waitOffRamp', () =>
      pollUntil(() => provider.getOffRamp({ offRampId: payout.id }), (m) => m.status !== 'pending'),
    );
    if (paid.status === 'failed') throw new MovementFailed('waitOffRamp', `payout failed: ${paid.errorCode ?? 'failed'}`);
    await saga.step('completeOffRamp', () => db.completeOffRamp({ depositId }));
    saga.transition('off_ramp_complete');

    await completeMovement(saga, {
      step: 'broker-fund',
      start: (step) => provider.fundBroker({ amountUsd, step }),
      read: (journal) => provider.getBrokerTransfer({ brokerTransferId: journal.id }),
      state: (journal) => journal.status,
      reason: (journal) => journal.reason ?? 'funding journal failed',
    });
    await saga.step('markBrokerFunded', () => db.markBrokerFunded({ depositId, amountUsd }));
    saga.transition('broker_funded');
    return 'broker_funded';
  } catch (error) {
    if (!isSagaEnd(error)) throw error;
    try {
      await saga.step('failDeposit', () => db.failDeposit({ depositId, amountUsd, reason: error.message }));
    } catch (abandoned) {
      if (abandoned instanceof SagaAborted) throw ApplicationFailure.nonRetryable(abandoned.message, 'CompensationAbandoned');
      throw abandoned;
    }
    saga.transition('failed');
    return 'failed';
  }
}
