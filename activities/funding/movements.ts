import type { BrokerTransfer, ChainTransfer, RailMovement } from '../../src/providers/ports.js';
import type { ActivityDeps } from '../index.js';
import { stepKey, translated } from '../failures.js';

// Provider reads the sagas poll, and the money movements both sagas start (funding the broker after a deposit,
// and the reversals a failed withdrawal needs). Each effect is keyed by workflow id + the step name the workflow
// passes, so the same step never moves money twice, whoever retries it.

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

    async getBrokerTransfer({ brokerTransferId }: { brokerTransferId: string }): Promise<BrokerTransfer> {
      return translated(() => providers.broker.getTransfer(brokerTransferId));
    },

    /** Journals USD into the brokerage account (a deposit's funding, or putting back a failed withdrawal's). */
    async fundBroker({ amountUsd, step }: { amountUsd: string; step: string }): Promise<BrokerTransfer> {
      return translated(() => providers.broker.fund({ amountUsd, idempotencyKey: stepKey(step) }));
    },

    /** Redeems USDC held at Circle back to USD (a failed withdrawal's reversal of its on-ramp). */
    async startOffRamp({ amountUsd, step }: { amountUsd: string; step: string }): Promise<RailMovement> {
      return translated(() => providers.rails.startOffRamp({ amountUsd, idempotencyKey: stepKey(step) }));
    },
  };
}
