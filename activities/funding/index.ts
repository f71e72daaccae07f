import type { ActivityDeps } from '../index.js';
import { createDepositActivities } from './deposit.js';
import { createKycActivities } from './kyc.js';
import { createMovementActivities } from './movements.js';
import { createSweepActivities } from './sweep.js';
import { createWalletActivities } from './wallet.js';
import { createWithdrawalActivities } from './withdrawal.js';

export {
  createDepositActivities,
  createKycActivities,
  createMovementActivities,
  createSweepActivities,
  createWalletActivities,
  createWithdrawalActivities,
};

/** The activities of the funding sagas (KYC, wallets, deposits, withdrawals). */
export function createFundingActivities(deps: ActivityDeps) {
  return {
    ...createKycActivities(deps),
    ...createWalletActivities(deps),
    ...createMovementActivities(deps),
    ...createDepositActivities(deps),
    ...createSweepActivities(deps),
    ...createWithdrawalActivities(deps),
  };
}

export type FundingActivities = ReturnType<typeof createFundingActivities>;
