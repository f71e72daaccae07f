import type { ChainTransfer, MintChainDeposit, RailStatus } from '../../src/providers/ports.js';
import type { ActivityDeps } from '../index.js';
import { byState, settledOr, stepKey, translated, type Waiting } from '../failures.js';
import { assertNotFailed, liveDeposit } from './rows.js';

// A confirmed deposit's USDC moves from the user's Circle wallet (W3S) to Circle Mint's deposit address for the
// chain before anything is paid out of Mint: the payout draws on exactly what the deposit brought. The sweep is
// one W3S transfer of the row's full USDC (the sub-cent rest too, which stays in Mint as the recorded rounding),
// keyed by workflow id + step; it is done when Circle reports the transfer COMPLETE and Mint lists it credited.
//
// Gas: the users' wallets are EOA wallets, which pay network fees in the chain's native coin; fundflow assumes
// Circle's Gas Station sponsors them (a wallet without native coin and without a Gas Station policy would see the
// transfer refused or stuck, which parks the deposit for an operator).

/**
 * A W3S transfer to a Mint deposit address (a deposit's sweep, a treasury's return) and, once on chain, what Mint
 * recorded of it.
 */
export interface TransferToMint {
  transfer: ChainTransfer;
  mintDeposit?: MintChainDeposit;
  /** complete: on chain and credited to the Mint balance; failed: the transfer failed (nothing reached Mint). */
  state: RailStatus;
}

function sweepOf(transfer: ChainTransfer, mintDeposit?: MintChainDeposit): TransferToMint {
  if (transfer.state === 'failed') return { transfer, state: 'failed' };
  if (transfer.state !== 'complete') return { transfer, state: 'pending' };
  // A deposit Mint refuses after it arrived stays Circle's problem to return: the saga parks, never pays out.
  return { transfer, mintDeposit, state: mintDeposit?.status ?? 'pending' };
}

/**
 * A W3S transfer to one of Mint's deposit addresses as far as it got: on chain, then credited by Mint (after
 * Mint's own confirmations). Until Mint credits it, the Mint balance cannot pay it out again.
 */
export async function readTransferToMint(providers: ActivityDeps['providers'], transferId: string): Promise<TransferToMint> {
  const transfer = await providers.wallets.getTransfer(transferId);
  if (transfer.state !== 'complete' || !transfer.txHash) return sweepOf(transfer);
  return sweepOf(transfer, await providers.rails.getChainDeposit({ chain: transfer.chain, txHash: transfer.txHash }));
}

export function createSweepActivities({ db, providers }: ActivityDeps) {
  return {
    /** Sends the row's USDC from the user's wallet to Mint's deposit address on its chain, under this step's key. */
    async startDepositSweep({ depositId, step }: { depositId: string; step: string }): Promise<TransferToMint> {
      return translated(async () => {
        const { chain, amountUsdc, circleWalletId } = await liveDeposit(db, depositId, step);
        const transfer = await providers.wallets.sendUsdc({
          walletId: circleWalletId,
          chain,
          destinationAddress: await providers.rails.depositAddress(chain),
          amountUsdc,
          idempotencyKey: stepKey(step),
        });
        return sweepOf(transfer);
      });
    },

    /** The sweep's transfer as Circle reports it, and once it is COMPLETE whether Mint has credited it. */
    async readDepositSweep({ depositId, transferId, wait }: { depositId: string; transferId: string } & Waiting): Promise<TransferToMint> {
      const sweep = await translated(async () => {
        await assertNotFailed(db, 'deposits', depositId, 'readDepositSweep');
        return readTransferToMint(providers, transferId);
      });
      return settledOr(wait, sweep, byState);
    },
  };
}
