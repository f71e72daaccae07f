import type { Chain, CustodyWallet } from '../../src/providers/ports.js';
import { TransitionError, type WalletStatus } from '../../src/domain/status.js';
import type { ActivityDeps } from '../index.js';
import { stepKey, translated } from '../failures.js';
import { refusal, type Refusal } from '../../src/domain/refusals.js';

// Deposit wallets: one Circle wallet per user and chain, created with a key derived from the workflow id (the
// same on every retry and every run for this user + chain), recorded `creating`, then `active` once Circle
// reports it LIVE (`inactive` when FROZEN).

export interface WalletRow {
  id: string;
  status: WalletStatus;
  circleWalletId: string;
}

export type WalletEligibility = { eligible: true } | { eligible: false; existing: WalletRow } | { eligible: false; refusal: Refusal };

export function createWalletActivities({ db, providers }: ActivityDeps) {
  return {
    /** The user must be KYC approved; a wallet they already have on the chain is the answer. */
    async checkWalletEligibility({ userId, chain }: { userId: string; chain: Chain }): Promise<WalletEligibility> {
      return translated(async () => {
        const user = await db.user.findUnique({
          where: { id: userId },
          select: { kycStatus: true, wallets: { where: { chain }, select: { id: true, status: true, circleWalletId: true } } },
        });
        if (!user) return { eligible: false, refusal: refusal('not_found', 'No such user') };
        const existing = user.wallets[0];
        if (existing) return { eligible: false, existing };
        if (user.kycStatus !== 'approved') {
          return { eligible: false, refusal: refusal('kyc_required', `KYC is ${user.kycStatus}; a wallet needs an approved KYC`) };
        }
        return { eligible: true };
      });
    },

    /** Creates the Circle wallet (idempotent by key) and records it `creating`; a concurrent row wins. */
    async createCustodyWallet({ userId, chain }: { userId: string; chain: Chain }): Promise<WalletRow> {
      return translated(async () => {
        const wallet: CustodyWallet = await providers.wallets.createWallet({ userId, chain, idempotencyKey: stepKey('create-wallet') });
        const rows = await db.$queryRaw<WalletRow[]>`
          WITH ins AS (
            INSERT INTO wallets (user_id, chain, address, circle_wallet_id, status)
            VALUES (${userId}::uuid, ${chain}::chain_type, ${wallet.address}, ${wallet.id}, 'creating')
            ON CONFLICT (user_id, chain) DO NOTHING
            RETURNING id, status::text AS status, circle_wallet_id AS "circleWalletId"
          )
          SELECT * FROM ins
          UNION ALL
          SELECT id, status::text, circle_wallet_id FROM wallets WHERE user_id = ${userId}::uuid AND chain = ${chain}::chain_type
          LIMIT 1`;
        return rows[0]!;
      });
    },

    /** Reads the wallet's state at Circle and records it: LIVE -> active, FROZEN -> inactive. */
    async activateWallet({ walletId, circleWalletId }: { walletId: string; circleWalletId: string }): Promise<WalletStatus> {
      return translated(async () => {
        const wallet = await providers.wallets.getWallet(circleWalletId);
        const next: WalletStatus = wallet.state === 'LIVE' ? 'active' : 'inactive';
        const { count } = await db.wallet.updateMany({ where: { id: walletId, status: 'creating' }, data: { status: next } });
        if (count === 1) return next;
        const row = await db.wallet.findUnique({ where: { id: walletId }, select: { status: true } });
        if (row?.status === next) return next;
        throw new TransitionError('wallets', row?.status ?? 'missing', next);
      });
    },
  };
}
