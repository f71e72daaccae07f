import type { BrokerTransfer, ChainTransfer, MintTransfer, RailMovement } from '../../src/providers/ports.js';
import type { ActivityDeps } from '../index.js';
import { byState, byStatus, settledOr, stepKey, translated, type Waiting } from '../failures.js';
import { readTransferToMint, type TransferToMint } from './sweep.js';

// Provider reads the sagas poll (with `wait`, a pending movement fails the attempt for the poll policy to retry,
// see settledOr), and the deposit's funding of the broker. Each effect is keyed by workflow id +
// the step name the workflow passes, so the same step never moves money twice, whoever retries it. (A failed
// withdrawal's reversals live with the withdrawal: they check its row first.)

export function createMovementActivities({ providers }: ActivityDeps) {
  return {
    async getChainTransfer({ transferId, wait }: { transferId: string } & Waiting): Promise<ChainTransfer> {
      return settledOr(wait, await translated(() => providers.wallets.getTransfer(transferId)), byState);
    },

    async getOffRamp({ offRampId, wait }: { offRampId: string } & Waiting): Promise<RailMovement> {
      return settledOr(wait, await translated(() => providers.rails.getOffRamp(offRampId)), byStatus);
    },

    async getOnRamp({ onRampId, wait }: { onRampId: string } & Waiting): Promise<RailMovement> {
      return settledOr(wait, await translated(() => providers.rails.getOnRamp(onRampId)), byStatus);
    },

    /** A transfer to Mint's deposit address: complete once Mint has credited it, not just once it is on chain. */
    async getTransferToMint({ transferId, wait }: { transferId: string } & Waiting): Promise<TransferToMint> {
      return settledOr(wait, await translated(() => readTransferToMint(providers, transferId)), byState);
    },

    async getMintTransfer({ mintTransferId, wait }: { mintTransferId: string } & Waiting): Promise<MintTransfer> {
      return settledOr(wait, await translated(() => providers.rails.getMintTransfer(mintTransferId)), byStatus);
    },

    async getBrokerTransfer({ brokerTransferId, wait }: { brokerTransferId: string } & Waiting): Promise<BrokerTransfer> {
      return settledOr(wait, await translated(() => providers.broker.getTransfer(brokerTransferId)), byStatus);
    },

    /** Journals off-ramped USD into the brokerage account (a deposit's funding). */
    async fundBroker({ amountUsd, step }: { amountUsd: string; step: string }): Promise<BrokerTransfer> {
      return translated(() => providers.broker.fund({ amountUsd, idempotencyKey: stepKey(step) }));
    },
  };
}
