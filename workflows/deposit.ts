import { ActivityFailure, ApplicationFailure, allHandlersFinished, condition, log, patched, setHandler } from '@temporalio/workflow';
import { transferNotSeen } from '../activities/funding/contract.js';
import type { DepositAccepted, DepositAcceptInput, DepositAcceptResult } from '../activities/funding/deposit.js';
import { depositTransitions, isTerminal, type DepositStatus } from '../src/domain/status.js';
import { db, depositLookup, poll, probe, provider } from './activities.js';
import { acceptUpdate, depositTransferUpdate, type AcceptResult } from './definitions.js';
import { refusal } from '../src/domain/refusals.js';
import {
  completeMovement,
  isSagaEnd,
  MovementFailed,
  once,
  RowEnded,
  Saga,
  SagaAborted,
  waitSettled,
  type MovementCheck,
  type News,
} from './saga.js';

// The USDC deposit of one on-chain transaction (id workflowIds.deposit(chain, txHash)), started by whoever
// reports the transaction first with update-with-start: the app (POST /v1/deposits) or Circle's webhook. The
// input names the transaction and nothing else: accept reads its inbound transfers from Circle, records each one
// that reached a user's wallet (the deposit row from one USDC transfer, chosen the same way whoever reports;
// other USDC transfers held for an operator; any other token ignored) and answers the deposit row, whose owner is
// the wallet's, never the reporter. Every later report (another user's, Circle's next notification) looks again,
// so a transfer that joins the transaction later is recorded too, even after the deposit ended.
//
//   transfer COMPLETE on chain, re-read from Circle and matching the row -> confirmed_on_chain
//                                          (pending_broker_deposits_usd += usd; the sub-cent rest to rounding)
//   sweep: the row's USDC from the user's wallet to Mint's deposit address, until COMPLETE and credited by Mint
//                                          (still confirmed_on_chain: the sweep lives inside that status)
//   Circle payout to the broker's bank -> off_ramp_initiated -> off_ramp_complete
//   journal into the brokerage account -> broker_funded (pending -= usd, buying_power += usd)
//
// Waits poll the provider through an activity's retries (waitSettled); news (a report, a notification) only wakes
// the first wait early, so a lost webhook costs latency, never the deposit. The transfer failing on chain ends the deposit `failed`
// before any money moved. Once confirmed, the USDC is the firm's to account for: a sweep, payout or funding journal
// that ends failed parks (an operator retry starts a new one under a new key), and if an operator aborts anyway the
// deposit ends `failed` with its USDC recorded in suspense. Circle disagreeing with the row parks before anything
// is credited. A run for a terminal row ends at once; a step that finds the row failed (a reset or replayed run)
// ends the run failed without compensating.

export type DepositInput = DepositAcceptInput;

/** The patch that added the sweep to Mint between confirmation and the payout. */
const sweepPatch = 'deposit-sweep-to-mint';

export async function depositWorkflow(input: DepositInput): Promise<DepositStatus | undefined> {
  const saga = new Saga<DepositStatus>('deposit', '', 'pending_confirmation', depositTransitions);
  log.info('deposit reported', { chain: input.chain, txHash: input.txHash, reportedBy: input.reportedBy });
  let transferNews = false;
  setHandler(depositTransferUpdate, () => {
    transferNews = true;
  });

  const lookup = async (): Promise<DepositAcceptResult> => {
    try {
      return await depositLookup.acceptDeposit({ chain: input.chain, txHash: input.txHash });
    } catch (error) {
      if (error instanceof ActivityFailure && error.cause instanceof ApplicationFailure && error.cause.type === transferNotSeen) {
        return {
          accepted: false,
          refusal: refusal('not_found', 'Circle has not seen an inbound USDC transfer with this hash'),
        };
      }
      throw error;
    }
  };
  const firstLook = once(lookup);
  let reports = 0;
  let laterLook: DepositAcceptResult | undefined;
  setHandler(acceptUpdate, async (): Promise<AcceptResult> => {
    transferNews = true;
    // The first report shares the run's own look; a later one may come for a transfer that was not there yet.
    const result = reports++ === 0 ? await firstLook() : (laterLook = await lookup());
    return result.accepted ? { accepted: true, id: result.id } : result;
  });

  let deposit = await firstLook();
  let ended: DepositStatus | undefined;
  for (;;) {
    if (deposit.accepted && ended === undefined) {
      saga.begin(deposit.status, deposit.userId);
      ended = isTerminal(depositTransitions, deposit.status)
        ? deposit.status
        : await settle(saga, deposit, {
            seen: () => transferNews,
            reset: () => {
              transferNews = false;
            },
          });
    }
    // Reports still being answered may record transfers; the run ends only once they are.
    await condition(allHandlersFinished);
    if (ended === undefined && laterLook?.accepted) {
      deposit = laterLook;
      continue;
    }
    return ended;
  }
}

/** Walks an accepted deposit to its end; every amount is the row's, read by the activities. */
async function settle(saga: Saga<DepositStatus>, deposit: DepositAccepted, news: News): Promise<DepositStatus> {
  const { id: depositId, transferId, amountUsd } = deposit;
  // Until the deposit is confirmed, an abort must not end it while its USDC is arriving or has arrived: that
  // would keep received money with nothing recorded. Circle's answer decides (only FAILED lets an abort through).
  const arriving: MovementCheck = { read: async () => (await probe.readDepositTransfer({ depositId, transferId })).state };
  try {
    const transfer = await saga.step(
      'waitTransfer',
      () =>
        waitSettled(
          {
            read: () => provider.readDepositTransfer({ depositId, transferId }),
            until: () => poll.readDepositTransfer({ depositId, transferId, wait: true }),
            settled: (t) => t.state !== 'pending',
          },
          news,
        ),
      { movement: arriving },
    );
    if (transfer.state === 'failed') {
      throw new MovementFailed(
        'waitTransfer',
        `on-chain transfer ${transfer.providerState}${transfer.errorReason ? `: ${transfer.errorReason}` : ''}`,
      );
    }
    if (amountUsd === '0.00') throw new MovementFailed('confirmDeposit', 'the amount is less than one cent');

    await saga.step('confirmDeposit', () => provider.confirmDeposit({ depositId }), { movement: arriving });
    saga.transition('confirmed_on_chain');

    // Runs confirmed before the sweep existed went on to the payout directly; they replay without it.
    if (patched(sweepPatch)) {
      await completeMovement(saga, {
        step: 'sweep',
        start: (step) => provider.startDepositSweep({ depositId, step }),
        read: (sweep) => provider.readDepositSweep({ depositId, transferId: sweep.transfer.id }),
        until: (sweep) => poll.readDepositSweep({ depositId, transferId: sweep.transfer.id, wait: true }),
        state: (sweep) => sweep.state,
        reason: ({ transfer, mintDeposit }) =>
          transfer.state === 'failed'
            ? `sweeping the USDC to Mint failed: ${transfer.providerState}${transfer.errorReason ? `: ${transfer.errorReason}` : ''}`
            : `Mint did not credit the swept USDC: ${mintDeposit?.errorCode ?? mintDeposit?.status ?? 'not seen'}`,
      });
      await saga.step('bookDepositSweep', () => db.bookDepositSweep({ depositId }));
    }

    await completeMovement(saga, {
      step: 'off-ramp',
      start: async (step) => {
        const payout = await provider.startDepositOffRamp({ depositId, step });
        if (payout.status !== 'failed') saga.transition('off_ramp_initiated');
        return payout;
      },
      read: (payout) => provider.readDepositOffRamp({ depositId, offRampId: payout.id }),
      until: (payout) => poll.readDepositOffRamp({ depositId, offRampId: payout.id, wait: true }),
      state: (payout) => payout.status,
      reason: (payout) => `payout ${payout.status}: ${payout.errorCode ?? 'no reason given'}`,
    });
    await saga.step('completeOffRamp', () => db.completeOffRamp({ depositId }));
    saga.transition('off_ramp_complete');

    const journal = await completeMovement(saga, {
      step: 'broker-fund',
      start: (step) => provider.startDepositFunding({ depositId, step }),
      read: (journal) => provider.readDepositFunding({ depositId, brokerTransferId: journal.id }),
      until: (journal) => poll.readDepositFunding({ depositId, brokerTransferId: journal.id, wait: true }),
      state: (journal) => journal.status,
      reason: (journal) => journal.reason ?? 'funding journal failed',
    });
    // The money is in the brokerage account: an abort here would strand it there, so only a retry goes on.
    await saga.step('markBrokerFunded', () => db.markBrokerFunded({ depositId }), {
      movement: { read: async () => (await probe.readDepositFunding({ depositId, brokerTransferId: journal.id })).status },
    });
    saga.transition('broker_funded');
    return 'broker_funded';
  } catch (error) {
    // The row was failed already (this run was reset or replayed after the deposit ended): nothing to give back.
    if (error instanceof RowEnded) {
      saga.transition('failed');
      return 'failed';
    }
    if (!isSagaEnd(error)) throw error;
    try {
      await saga.step('failDeposit', () => db.failDeposit({ depositId, reason: error.message }));
    } catch (abandoned) {
      if (abandoned instanceof SagaAborted) {
        saga.abandon(abandoned.step);
        throw ApplicationFailure.nonRetryable(abandoned.message, 'CompensationAbandoned');
      }
      throw abandoned;
    }
    saga.transition('failed');
    return 'failed';
  }
}
