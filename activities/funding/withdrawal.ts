import { Prisma } from '../../src/db/client.js';
import { usdcFromUsd } from '../../src/domain/money.js';
import type { WithdrawalStatus } from '../../src/domain/status.js';
import type { BrokerTransfer, Chain, ChainTransfer, RailMovement } from '../../src/providers/ports.js';
import type { AcceptResult } from '../../workflows/definitions.js';
import type { ActivityDeps } from '../index.js';
import { stepKey, translated } from '../failures.js';
import { move, usd } from './rows.js';

// A withdrawal's rows and ledger: accepting reserves the amount from buying power in the statement that writes
// the row; failing gives it back in the statement that marks the row failed. The movements in between only
// record their provider refs.

export interface WithdrawalAcceptInput {
  withdrawalId: string;
  userId: string;
  amountUsd: string;
  targetChain: Chain;
  targetAddress: string;
  idempotencyKey?: string;
  requestHash?: string;
}

export type WithdrawalAcceptResult =
  | { accepted: true; id: string; status: WithdrawalStatus }
  | Extract<AcceptResult, { accepted: false }>;

const failable: WithdrawalStatus[] = [
  'pending', 'broker_withdrawal_initiated', 'broker_withdrawal_complete', 'on_ramp_initiated', 'on_ramp_complete',
  'transfer_initiated',
];

export function createWithdrawalActivities({ db, providers, config }: ActivityDeps) {
  // The treasury wallet per chain sends withdrawals of users without a wallet of their own on that chain.
  const treasuries = new Map<Chain, Promise<string>>();
  function treasuryWalletId(chain: Chain): Promise<string> {
    const configured = chain === 'ethereum' ? config.CIRCLE_TREASURY_WALLET_ID_ETHEREUM : config.CIRCLE_TREASURY_WALLET_ID_SOLANA;
    if (configured) return Promise.resolve(configured);
    let id = treasuries.get(chain);
    if (!id) {
      // A constant key: every process and every restart gets the same wallet back from Circle.
      id = providers.wallets
        .createWallet({ userId: 'fundflow-treasury', chain, idempotencyKey: `fundflow:treasury:${chain}` })
        .then((w) => w.id);
      id.catch(() => treasuries.delete(chain));
      treasuries.set(chain, id);
    }
    return id;
  }

  return {
    /**
     * In one statement: reserve the amount (only if buying power covers it), insert the row `pending`, and record
     * the Idempotency-Key. A retry finds the row and answers the same; no reservation without a row or vice versa.
     */
    async acceptWithdrawal(input: WithdrawalAcceptInput): Promise<WithdrawalAcceptResult> {
      return translated(async () => {
        const rows = await db.$queryRaw<{ inserted: number; existing: WithdrawalStatus | null }[]>`
          WITH reserved AS (
            UPDATE balances SET buying_power_usd = buying_power_usd - ${usd(input.amountUsd)}
            WHERE user_id = ${input.userId}::uuid AND buying_power_usd >= ${usd(input.amountUsd)}
              AND NOT EXISTS (SELECT 1 FROM withdrawals WHERE id = ${input.withdrawalId}::uuid)
            RETURNING user_id
          ), ins AS (
            INSERT INTO withdrawals (id, user_id, amount_usd, target_chain, target_address)
            SELECT ${input.withdrawalId}::uuid, user_id, ${usd(input.amountUsd)}, ${input.targetChain}::chain_type,
                   ${input.targetAddress}
            FROM reserved RETURNING id
          ), key AS (
            INSERT INTO idempotency_keys (user_id, key, request_hash, resource_type, resource_id)
            SELECT ${input.userId}::uuid, ${input.idempotencyKey ?? null}, ${input.requestHash ?? ''}, 'withdrawal', id
            FROM ins WHERE ${input.idempotencyKey ?? null}::text IS NOT NULL
            ON CONFLICT (user_id, key) DO NOTHING
            RETURNING 1
          )
          SELECT (SELECT count(*) FROM ins)::int AS inserted,
                 (SELECT status::text FROM withdrawals WHERE id = ${input.withdrawalId}::uuid) AS existing`;
        const row = rows[0]!;
        if (row.inserted === 1) return { accepted: true, id: input.withdrawalId, status: 'pending' };
        if (row.existing) return { accepted: true, id: input.withdrawalId, status: row.existing };
        return {
          accepted: false,
          problem: {
            status: 422,
            title: 'Insufficient buying power',
            detail: `Buying power does not cover ${input.amountUsd} USD`,
          },
        };
      });
    },

    /** Asks the broker to move the amount out; records the journal unless the broker refused it at once. */
    async initiateBrokerWithdrawal({ withdrawalId, amountUsd }: { withdrawalId: string; amountUsd: string }): Promise<BrokerTransfer> {
      return translated(async () => {
        const journal = await providers.broker.withdraw({ amountUsd, idempotencyKey: stepKey('broker-withdrawal') });
        if (journal.status !== 'failed') {
          await move(db, {
            table: 'withdrawals',
            id: withdrawalId,
            from: ['pending'],
            to: 'broker_withdrawal_initiated',
            set: Prisma.sql`, broker_withdrawal_ref = ${journal.id}`,
          });
        }
        return journal;
      });
    },

    async completeBrokerWithdrawal({ withdrawalId }: { withdrawalId: string }): Promise<void> {
      await translated(() =>
        move(db, { table: 'withdrawals', id: withdrawalId, from: ['broker_withdrawal_initiated'], to: 'broker_withdrawal_complete' }),
      );
    },

    /** Wires the USD to Circle to become USDC. */
    async initiateOnRamp({ withdrawalId, amountUsd }: { withdrawalId: string; amountUsd: string }): Promise<RailMovement> {
      return translated(async () => {
        const onRamp = await providers.rails.startOnRamp({ amountUsd, idempotencyKey: stepKey('on-ramp') });
        if (onRamp.status !== 'failed') {
          await move(db, {
            table: 'withdrawals',
            id: withdrawalId,
            from: ['broker_withdrawal_complete'],
            to: 'on_ramp_initiated',
            set: Prisma.sql`, circle_on_ramp_ref = ${onRamp.id}`,
          });
        }
        return onRamp;
      });
    },

    async completeOnRamp({ withdrawalId }: { withdrawalId: string }): Promise<void> {
      await translated(() =>
        move(db, { table: 'withdrawals', id: withdrawalId, from: ['on_ramp_initiated'], to: 'on_ramp_complete' }),
      );
    },

    /**
     * The Circle wallet the USDC leaves from: the user's own wallet on the target chain when they have an active
     * one, else the chain's treasury wallet. Its own step, so the choice is recorded once and every retry of the
     * transfer presents the same request under the same key.
     */
    async chooseWithdrawalSource({ userId, chain }: { userId: string; chain: Chain }): Promise<string> {
      return translated(async () => {
        const own = await db.wallet.findFirst({ where: { userId, chain, status: 'active' }, select: { circleWalletId: true } });
        return own?.circleWalletId ?? (await treasuryWalletId(chain));
      });
    },

    /** Sends the USDC on chain to the target address; records the Circle transaction unless refused at once. */
    async initiateWithdrawalTransfer(input: {
      withdrawalId: string;
      sourceWalletId: string;
      chain: Chain;
      targetAddress: string;
      amountUsd: string;
    }): Promise<ChainTransfer> {
      return translated(async () => {
        const transfer = await providers.wallets.sendUsdc({
          walletId: input.sourceWalletId,
          chain: input.chain,
          destinationAddress: input.targetAddress,
          amountUsdc: usdcFromUsd(input.amountUsd),
          idempotencyKey: stepKey('transfer'),
        });
        if (transfer.state !== 'failed') {
          await move(db, {
            table: 'withdrawals',
            id: input.withdrawalId,
            from: ['on_ramp_complete'],
            to: 'transfer_initiated',
            set: Prisma.sql`, circle_transfer_ref = ${transfer.id}`,
          });
        }
        return transfer;
      });
    },

    async completeWithdrawal({ withdrawalId, txHash }: { withdrawalId: string; txHash: string }): Promise<void> {
      await translated(() =>
        move(db, {
          table: 'withdrawals',
          id: withdrawalId,
          from: ['transfer_initiated'],
          to: 'complete',
          set: Prisma.sql`, tx_hash = ${txHash}`,
        }),
      );
    },

    /** Ends the withdrawal failed and gives the reserved amount back to buying power, in one statement. */
    async failWithdrawal({ withdrawalId, amountUsd, reason }: { withdrawalId: string; amountUsd: string; reason: string }): Promise<void> {
      await translated(() =>
        move(db, {
          table: 'withdrawals',
          id: withdrawalId,
          from: failable,
          to: 'failed',
          set: Prisma.sql`, failure_reason = ${reason}`,
          balance: Prisma.sql`buying_power_usd = buying_power_usd + ${usd(amountUsd)}`,
        }),
      );
    },
  };
}
