import { ApplicationFailure, setHandler } from '@temporalio/workflow';
import type { WithdrawalAcceptInput, WithdrawalAcceptResult } from '../activities/funding/withdrawal.js';
import { isTerminal, withdrawalTransitions, type WithdrawalStatus } from '../src/domain/status.js';
import { db, provider } from './activities.js';
import { acceptUpdate, type AcceptResult } from './definitions.js';
import { completeMovement, isSagaEnd, MovementFailed, once, pollUntil, refused, Saga, SagaAborted } from './saga.js';

// One withdrawal (id workflowIds.withdrawal(withdrawalId)). Accept reserves the amount from buying power in the
// statement that writes the row `pending` (422 when buying power does not cover it: no row, no reservation) and
// records the Idempotency-Key. Then:
//
//   journal out of the brokerage account -> broker_withdrawal_initiated -> broker_withdrawal_complete
//   USD wired to Circle, minted as USDC     -> on_ramp_initiated -> on_ramp_complete
//   USDC sent on chain to the target address -> transfer_initiated -> complete (tx_hash)
//
// The USDC leaves from the user's own Circle wallet on the target chain when they have an active one, else from
// the chain's treasury wallet (CIRCLE_TREASURY_WALLET_ID_<CHAIN>, or one created once): both hold the USDC the
// on-ramp minted for this purpose.
//
// Final outcomes without parking: the broker refuses the journal or it ends failed, the on-ramp is refused or
// fails, Circle refuses the transfer (funds, address) or it ends FAILED/DENIED/CANCELLED. Any other failure for
// good parks; an operator abort declares the parked step's movement did not happen. Either way the saga
// compensates what had completed, newest first, and ends `failed` with failure_reason:
//   money back at Circle (after the on-ramp) -> off-ramp it back to USD first;
//   money out of the broker (after the journal completed) -> journal it back in;
//   always -> give the reservation back to buying power, in the statement that marks the row failed.
// A compensation movement that ends failed parks (retry starts a new one); aborting a compensation leaves the row
// as it is and fails the run (CompensationAbandoned) for an operator to settle by hand.

export type WithdrawalInput = WithdrawalAcceptInput;

/** Where the withdrawn money is, as far as compensation needs to know. */
type Position = 'broker' | 'firm' | 'circle';

export async function withdrawalWorkflow(input: WithdrawalInput): Promise<WithdrawalStatus | undefined> {
  const { withdrawalId, amountUsd } = input;
  const saga = new Saga<WithdrawalStatus>('withdrawal', input.userId, 'pending', withdrawalTransitions);

  const accept = once((): Promise<WithdrawalAcceptResult> => db.acceptWithdrawal(input));
  setHandler(acceptUpdate, async (): Promise<AcceptResult> => {
    const result = await accept();
    return result.accepted ? { accepted: true, id: result.id } : result;
  });

  const accepted = await accept();
  if (!accepted.accepted) return refused();
  saga.begin(accepted.status);
  if (isTerminal(withdrawalTransitions, accepted.status)) return accepted.status;

  let position: Position = 'broker';
  try {
    const journal = await saga.step('initiateBrokerWithdrawal', () => provider.initiateBrokerWithdrawal({ withdrawalId, amountUsd }), {
      rejectionIsFinal: true,
    });
    if (journal.status === 'failed') throw new MovementFailed('initiateBrokerWithdrawal', journal.reason ?? 'journal refused');
    saga.transition('broker_withdrawal_initiated');
    const withdrawn = await saga.step('waitBrokerWithdrawal', () =>
      pollUntil(() => provider.getBrokerTransfer({ brokerTransferId: journal.id }), (j) => j.status !== 'pending'),
    );
    if (withdrawn.status === 'failed') throw new MovementFailed('waitBrokerWithdrawal', withdrawn.reason ?? 'journal failed');
    position = 'firm';
    await saga.step('completeBrokerWithdrawal', () => db.completeBrokerWithdrawal({ withdrawalId }));
    saga.transition('broker_withdrawal_complete');

    const onRamp = await saga.step('initiateOnRamp', () => provider.initiateOnRamp({ withdrawalId, amountUsd }), {
      rejectionIsFinal: true,
    });
    if (onRamp.status === 'failed') throw new MovementFailed('initiateOnRamp', `on-ramp refused: ${onRamp.errorCode ?? 'failed'}`);
    saga.transition('on_ramp_initiated');
    const minted = await saga.step('waitOnRamp', () =>
      pollUntil(() => provider.getOnRamp({ onRampId: onRamp.id }), (m) => m.status !== 'pending'),
    );
    if (minted.status === 'failed') throw new MovementFailed('waitOnRamp', `on-ramp failed: ${minted.errorCode ?? 'failed'}`);
    position = 'circle';
    await saga.step('completeOnRamp', () => db.completeOnRamp({ withdrawalId }));
    saga.transition('on_ramp_complete');

    const sourceWalletId = await saga.step('chooseWithdrawalSource', () =>
      provider.chooseWithdrawalSource({ userId: input.userId, chain: input.targetChain }),
    );
    const transfer = await saga.step(
      'initiateWithdrawalTransfer',
      () =>
        provider.initiateWithdrawalTransfer({
          withdrawalId,
          sourceWalletId,
          chain: input.targetChain,
          targetAddress: input.targetAddress,
          amountUsd,
        }),
      { rejectionIsFinal: true },
    );
    if (transfer.state === 'failed') throw new MovementFailed('initiateWithdrawalTransfer', `transfer ${transfer.providerState}`);
    saga.transition('transfer_initiated');
    const sent = await saga.step('waitTransfer', () =>
      pollUntil(() => provider.getChainTransfer({ transferId: transfer.id }), (t) => t.state !== 'pending'),
    );
    if (sent.state === 'failed') {
      throw new MovementFailed('waitTransfer', `transfer ${sent.providerState}${sent.errorReason ? `: ${sent.errorReason}` : ''}`);
    }
    await saga.step('completeWithdrawal', () => db.completeWithdrawal({ withdrawalId, txHash: sent.txHash ?? '' }));
    saga.transition('complete');
    return 'complete';
  } catch (error) {
    if (!isSagaEnd(error)) throw error;
    await compensate(saga, input, position, error.message);
    return 'failed';
  }
}

async function compensate(saga: Saga<WithdrawalStatus>, input: WithdrawalInput, from: Position, reason: string): Promise<void> {
  const { withdrawalId, amountUsd } = input;
  try {
    if (from === 'circle') {
      await completeMovement(saga, {
        step: 'compensate-off-ramp',
        start: (step) => provider.startOffRamp({ amountUsd, step }),
        read: (payout) => provider.getOffRamp({ offRampId: payout.id }),
        state: (payout) => payout.status,
        reason: (payout) => `reversing the on-ramp failed: ${payout.errorCode ?? 'failed'}`,
      });
    }
    if (from === 'circle' || from === 'firm') {
      await completeMovement(saga, {
        step: 'compensate-refund',
        start: (step) => provider.fundBroker({ amountUsd, step }),
        read: (journal) => provider.getBrokerTransfer({ brokerTransferId: journal.id }),
        state: (journal) => journal.status,
        reason: (journal) => `putting the money back at the broker failed: ${journal.reason ?? 'failed'}`,
      });
    }
    await saga.step('failWithdrawal', () => db.failWithdrawal({ withdrawalId, amountUsd, reason }));
    saga.transition('failed');
  } catch (error) {
    if (error instanceof SagaAborted) throw ApplicationFailure.nonRetryable(error.message, 'CompensationAbandoned');
    throw error;
  }
}
