import { ApplicationFailure, setHandler } from '@temporalio/workflow';
import type { WalletRow } from '../activities/funding/wallet.js';
import { walletTransitions, type WalletStatus } from '../src/domain/status.js';
import type { Chain } from '../src/providers/ports.js';
import { db, provider } from './activities.js';
import { acceptUpdate, type AcceptResult } from './definitions.js';
import { once, refused, Saga, SagaAborted } from './saga.js';
import { refusal } from '../src/domain/refusals.js';

// A user's deposit wallet on one chain (id workflowIds.wallet(userId, chain)). Accept checks KYC (403 unless
// approved), answers an existing wallet as is, else creates the Circle wallet (key: workflow id + step) and
// inserts the row `creating` — inside accept, because the API answers 202 with that row. Then Circle's state
// decides: LIVE -> active, FROZEN -> inactive. A Circle failure for good parks (operator retry or abort).

export interface WalletInput {
  userId: string;
  chain: Chain;
}

type Accepted = { result: AcceptResult; wallet?: WalletRow };

export async function walletWorkflow({ userId, chain }: WalletInput): Promise<WalletStatus | undefined> {
  const saga = new Saga<WalletStatus>('wallet', userId, 'creating', walletTransitions);

  const accept = once(async (): Promise<Accepted> => {
    const eligibility = await db.checkWalletEligibility({ userId, chain });
    if ('refusal' in eligibility) return { result: { accepted: false, refusal: eligibility.refusal } };
    try {
      const wallet = eligibility.eligible
        ? await saga.step('createCustodyWallet', () => provider.createCustodyWallet({ userId, chain }), { inHandler: true })
        : eligibility.existing;
      return { result: { accepted: true, id: wallet.id }, wallet };
    } catch (error) {
      if (!(error instanceof SagaAborted)) throw error;
      return { result: { accepted: false, refusal: refusal('wallet_not_created', error.message) } };
    }
  });
  setHandler(acceptUpdate, async () => (await accept()).result);

  const { wallet } = await accept();
  if (!wallet) return refused();
  saga.begin(wallet.status);
  if (wallet.status !== 'creating') return wallet.status;

  try {
    const status = await saga.step('activateWallet', () =>
      provider.activateWallet({ walletId: wallet.id, circleWalletId: wallet.circleWalletId }),
    );
    saga.transition(status);
    return status;
  } catch (error) {
    // Nothing to undo: the row stays `creating` for an operator to look into.
    if (error instanceof SagaAborted) throw ApplicationFailure.nonRetryable(error.message, 'SagaAborted');
    throw error;
  }
}
