import { ApplicationFailure, log, patched, setHandler } from '@temporalio/workflow';
import type { TransferToMint } from '../activities/funding/sweep.js';
import type { TreasuryWallet, WithdrawalAcceptInput, WithdrawalAcceptResult } from '../activities/funding/withdrawal.js';
import type { ChainTransfer } from '../src/providers/ports.js';
import { isTerminal, withdrawalTransitions, type WithdrawalStatus } from '../src/domain/status.js';
import { db, poll, probe, provider } from './activities.js';
import { acceptUpdate, type AcceptResult } from './definitions.js';
import {
  completeMovement,
  isSagaEnd,
  MovementFailed,
  once,
  refused,
  RowEnded,
  Saga,
  SagaAborted,
  unreadable,
  waitSettled,
} from './saga.js';

// One withdrawal (id workflowIds.withdrawal(withdrawalId)). Accept reserves the amount from buying power in the
// statement that writes the row `pending` (422 when buying power does not cover it: no row, no reservation) and
// records the Idempotency-Key. Then:
//
//   journal out of the brokerage account      -> broker_withdrawal_initiated -> broker_withdrawal_complete
//   on-ramp: USD wired to Circle Mint, minted  -> on_ramp_initiated
//     as USDC in the Mint balance, then a Mint transfer of it to the chain's treasury wallet -> on_ramp_complete
//   USDC sent on chain from the treasury to the target address -> transfer_initiated -> complete (tx_hash)
//
// The USDC always leaves from the treasury wallet (CIRCLE_TREASURY_WALLET_ID_<CHAIN>, or one created once), and
// the treasury holds only what this saga's on-ramp put there: a user's own wallet holds their deposits, which
// were off-ramped already (sending from it would spend that money twice). Mint sends only to addresses saved
// in its recipient book, hence the one treasury per chain rather than each user's address.
//
// Final outcomes without parking: the broker refuses the journal or it ends failed, the on-ramp or the Mint
// transfer is refused or fails, Circle refuses the transfer (funds, address) or it ends FAILED/DENIED/CANCELLED.
// Any other failure for good parks; an operator abort is accepted only when the parked step's movement never
// started or failed for good at the provider (Saga reads it first), so it compensates nothing that moved. Either
// way the saga compensates what had completed, newest first, and ends `failed` with failure_reason:
//   USDC in the treasury -> send it back to Mint's deposit address (waited until COMPLETE, Mint credits it);
//   USDC in the Mint balance -> off-ramp it back to USD;
//   money out of the broker (after the journal completed) -> journal it back in;
//   always -> give the reservation back to buying power, in the statement that marks the row failed.
// A compensation movement that ends failed parks (retry starts a new one); aborting a compensation leaves the row
// as it is and fails the run (CompensationAbandoned) for an operator to settle by hand.
//
// A run that finds its row already `failed` (RowEnded: replayed, or reset by an operator after the saga had
// ended) ends `failed` at once and compensates nothing: the failed saga gave everything back before it wrote
// `failed`, and every provider step checks the row before its call.

export type WithdrawalInput = WithdrawalAcceptInput;

/** Where the withdrawn money is, as far as compensation needs to know. */
type Position = 'broker' | 'firm' | 'mint' | 'treasury';

export async function withdrawalWorkflow(input: WithdrawalInput): Promise<WithdrawalStatus | undefined> {
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

  try {
    return await withdraw(saga, input);
  } catch (error) {
    if (!(error instanceof RowEnded)) throw error;
    log.warn('the withdrawal row has failed already: the run ends without calling a provider', { step: error.step });
    saga.transition('failed');
    return 'failed';
  }
}

async function withdraw(saga: Saga<WithdrawalStatus>, input: WithdrawalInput): Promise<WithdrawalStatus> {
  const { withdrawalId, amountUsd, targetChain: chain } = input;
  let position: Position = 'broker';
  let treasury: TreasuryWallet | undefined;
  try {
    const journal = await saga.step('initiateBrokerWithdrawal', () => provider.initiateBrokerWithdrawal({ withdrawalId, amountUsd }), {
      rejectionIsFinal: true,
      movement: unreadable,
    });
    if (journal.status === 'failed') throw new MovementFailed('initiateBrokerWithdrawal', journal.reason ?? 'journal refused');
    saga.transition('broker_withdrawal_initiated');
    const withdrawn = await saga.step(
      'waitBrokerWithdrawal',
      () =>
        waitSettled({
          read: () => provider.getBrokerTransfer({ brokerTransferId: journal.id }),
          until: () => poll.getBrokerTransfer({ brokerTransferId: journal.id, wait: true }),
          settled: (j) => j.status !== 'pending',
        }),
      { movement: { read: async () => (await probe.getBrokerTransfer({ brokerTransferId: journal.id })).status } },
    );
    if (withdrawn.status === 'failed') throw new MovementFailed('waitBrokerWithdrawal', withdrawn.reason ?? 'journal failed');
    position = 'firm';
    await saga.step('completeBrokerWithdrawal', () => db.completeBrokerWithdrawal({ withdrawalId }));
    saga.transition('broker_withdrawal_complete');

    const onRamp = await saga.step('initiateOnRamp', () => provider.initiateOnRamp({ withdrawalId, amountUsd }), {
      rejectionIsFinal: true,
      movement: unreadable,
    });
    if (onRamp.status === 'failed') throw new MovementFailed('initiateOnRamp', `on-ramp refused: ${onRamp.errorCode ?? 'failed'}`);
    saga.transition('on_ramp_initiated');
    const minted = await saga.step(
      'waitOnRamp',
      () =>
        waitSettled({
          read: () => provider.getOnRamp({ onRampId: onRamp.id }),
          until: () => poll.getOnRamp({ onRampId: onRamp.id, wait: true }),
          settled: (m) => m.status !== 'pending',
        }),
      { movement: { read: async () => (await probe.getOnRamp({ onRampId: onRamp.id })).status } },
    );
    if (minted.status === 'failed') throw new MovementFailed('waitOnRamp', `on-ramp failed: ${minted.errorCode ?? 'failed'}`);
    position = 'mint';

    const wallet = await saga.step('chooseTreasuryWallet', () => provider.chooseTreasuryWallet({ withdrawalId, chain }));
    treasury = wallet;
    const funding = await saga.step('fundTreasury', () => provider.fundTreasury({ withdrawalId, chain, treasury: wallet, amountUsd }), {
      rejectionIsFinal: true,
      movement: unreadable,
    });
    const funded =
      funding.status === 'pending'
        ? await saga.step(
            'waitTreasuryFunding',
            () =>
              waitSettled({
                read: () => provider.getMintTransfer({ mintTransferId: funding.id }),
                until: () => poll.getMintTransfer({ mintTransferId: funding.id, wait: true }),
                settled: (t) => t.status !== 'pending',
              }),
            { movement: { read: async () => (await probe.getMintTransfer({ mintTransferId: funding.id })).status } },
          )
        : funding;
    if (funded.status === 'failed') {
      throw new MovementFailed('fundTreasury', `moving the USDC from Mint to the treasury failed: ${funded.errorCode ?? 'failed'}`);
    }
    position = 'treasury';
    await saga.step('completeOnRamp', () => db.completeOnRamp({ withdrawalId }));
    saga.transition('on_ramp_complete');

    const transfer = await saga.step(
      'initiateWithdrawalTransfer',
      () => provider.initiateWithdrawalTransfer({ withdrawalId, treasury: wallet, chain, targetAddress: input.targetAddress, amountUsd }),
      { rejectionIsFinal: true, movement: unreadable },
    );
    if (transfer.state === 'failed') throw new MovementFailed('initiateWithdrawalTransfer', `transfer ${transfer.providerState}`);
    saga.transition('transfer_initiated');
    // From here the USDC is on its way to the user: an abort is refused unless Circle says the transfer failed.
    const sending = { read: async () => (await probe.getChainTransfer({ transferId: transfer.id })).state };
    const sent = await saga.step(
      'waitTransfer',
      () =>
        waitSettled({
          read: () => provider.getChainTransfer({ transferId: transfer.id }),
          until: () => poll.getChainTransfer({ transferId: transfer.id, wait: true }),
          settled: (t) => t.state !== 'pending',
        }),
      { movement: sending },
    );
    if (sent.state === 'failed') {
      throw new MovementFailed('waitTransfer', `transfer ${sent.providerState}${sent.errorReason ? `: ${sent.errorReason}` : ''}`);
    }
    await saga.step('completeWithdrawal', () => db.completeWithdrawal({ withdrawalId, txHash: sent.txHash ?? '' }), {
      movement: sending,
    });
    saga.transition('complete');
    return 'complete';
  } catch (error) {
    if (!isSagaEnd(error)) throw error;
    await compensate(saga, input, position, treasury, error.message);
    return 'failed';
  }
}

/** The patch after which the treasury's return counts as done only once Mint has credited it. */
const returnCreditedPatch = 'treasury-return-credited-by-mint';

/** A transfer to Mint just started: on its way, not yet credited. */
const toMint = (transfer: ChainTransfer): TransferToMint => ({ transfer, state: transfer.state === 'failed' ? 'failed' : 'pending' });

async function compensate(
  saga: Saga<WithdrawalStatus>,
  input: WithdrawalInput,
  from: Position,
  treasury: TreasuryWallet | undefined,
  reason: string,
): Promise<void> {
  const { withdrawalId, amountUsd, targetChain: chain } = input;
  try {
    if (from === 'treasury' && treasury && patched(returnCreditedPatch)) {
      // Done when Mint has credited the USDC, not when it is on chain: the off-ramp below draws on the Mint balance.
      await completeMovement(saga, {
        step: 'compensate-treasury-return',
        start: async (step) => toMint(await provider.returnTreasuryUsdc({ withdrawalId, chain, treasury, amountUsd, step })),
        read: ({ transfer }) => provider.getTransferToMint({ transferId: transfer.id }),
        until: ({ transfer }) => poll.getTransferToMint({ transferId: transfer.id, wait: true }),
        state: (returned) => returned.state,
        reason: ({ transfer, mintDeposit }) =>
          transfer.state === 'failed'
            ? `returning the USDC from the treasury to Mint failed: ${transfer.providerState}${transfer.errorReason ? `: ${transfer.errorReason}` : ''}`
            : `Mint did not credit the returned USDC: ${mintDeposit?.errorCode ?? mintDeposit?.status ?? 'not seen'}`,
      });
    } else if (from === 'treasury' && treasury) {
      await completeMovement(saga, {
        step: 'compensate-treasury-return',
        start: (step) => provider.returnTreasuryUsdc({ withdrawalId, chain, treasury, amountUsd, step }),
        read: (transfer) => provider.getChainTransfer({ transferId: transfer.id }),
        until: (transfer) => poll.getChainTransfer({ transferId: transfer.id, wait: true }),
        state: (transfer) => transfer.state,
        reason: (transfer) =>
          `returning the USDC from the treasury to Mint failed: ${transfer.providerState}${transfer.errorReason ? `: ${transfer.errorReason}` : ''}`,
      });
    }
    if (from === 'treasury' || from === 'mint') {
      await completeMovement(saga, {
        step: 'compensate-off-ramp',
        start: (step) => provider.reverseOnRamp({ withdrawalId, amountUsd, step }),
        read: (payout) => provider.getOffRamp({ offRampId: payout.id }),
        until: (payout) => poll.getOffRamp({ offRampId: payout.id, wait: true }),
        state: (payout) => payout.status,
        reason: (payout) => `reversing the on-ramp failed: ${payout.errorCode ?? 'failed'}`,
      });
    }
    if (from !== 'broker') {
      await completeMovement(saga, {
        step: 'compensate-refund',
        start: (step) => provider.refundBrokerWithdrawal({ withdrawalId, amountUsd, step }),
        read: (journal) => provider.getBrokerTransfer({ brokerTransferId: journal.id }),
        until: (journal) => poll.getBrokerTransfer({ brokerTransferId: journal.id, wait: true }),
        state: (journal) => journal.status,
        reason: (journal) => `putting the money back at the broker failed: ${journal.reason ?? 'failed'}`,
      });
    }
    await saga.step('failWithdrawal', () => db.failWithdrawal({ withdrawalId, amountUsd, reason }));
    saga.transition('failed');
  } catch (error) {
    if (error instanceof SagaAborted) {
      saga.abandon(error.step);
      throw ApplicationFailure.nonRetryable(error.message, 'CompensationAbandoned');
    }
    throw error;
  }
}
