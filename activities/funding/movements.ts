import type { BrokerTransfer, ChainTransfer, MintTransfer, RailMovement } from '../../src/providers/ports.js';
import type { ActivityDeps } from '../index.js';
import { stepKey, translated } from '../failures.js';
import { readTransferToMint, type TransferToMint } from './sweep.js';

// Provider reads the sagas poll, and the deposit's funding of the broker. Each effect is keyed by workflow id +
// the step name the workflow passes, so the same step never moves money twice, whoever retries it. (A failed
// withdrawal's reversals live with the withdrawal: they check its row first.)

export function createMovementActivities({ providers }: ActivityDeps) {
  return {
    async getChainTransfer({ transferId }: { transferId: string }): Promise<ChainTransfer> {
      return translated(() => providers.wallets.getTransfer(transferId));
    },

    async getOffRamp({ offRampId }: { offRampId: string }): Promise<RailMovement> {
      return translated(() => providers.rails.getOffRamp(offRampId));
    },

    async getOnRamp({ onRampId }: { onRampId: string }): Promise<RailMovement> {
      return translated(() => providers.rails.getOnRamp(onRampId));
    },

    /** A transfer to Mint's deposit address: complete once Mint has credited it, not just once it is on chain. */
    async getTransferToMint({ transferId }: { transferId: string }): Promise<TransferToMint> {
      return translated(() => readTransferToMint(providers, transferId));
    },

    async getMintTransfer({ mintTransferId }: { mintTransferId: string }): Promise<MintTransfer> {
      return translated(() => providers.rails.getMintTransfer(mintTransferId));
    },

    async getBrokerTransfer({ brokerTransferId }: { brokerTransferId: string }): Promise<BrokerTransfer> {
      return translated(() => providers.broker.getTransfer(brokerTransferId));
    },

    /** Journals off-ramped USD into the brokerage account (a deposit's funding). */
    async fundBroker({ amountUsd, step }: { amountUsd: string; step: string }): Promise<BrokerTransfer> {
      return translated(() => providers.broker.fund({ amountUsd, idempotencyKey: stepKey(step) }));
    },
  };
}
