import { ApplicationFailure } from '@temporalio/common';
import { Prisma } from '../../src/db/client.js';
import { walletReachedBy } from '../../src/db/wallets.js';
import { usdFromUsdc } from '../../src/domain/money.js';
import type { DepositStatus } from '../../src/domain/status.js';
import type { Chain, ChainTransfer, RailMovement } from '../../src/providers/ports.js';
import type { AcceptResult } from '../../workflows/definitions.js';
import type { ActivityDeps } from '../index.js';
import { transferNotSeen } from './contract.js';
import { stepKey, translated } from '../failures.js';
import { move, usd } from './rows.js';

// A deposit's rows and ledger. USD of a deposit = its USDC truncated to cents. Money moves with the status:
// confirmed_on_chain adds to pending_broker_deposits_usd; broker_funded moves it from pending to buying power;
// failed after confirmation takes it out of pending again.

export interface DepositAcceptInput {
  chain: Chain;
  txHash: string;
  userId: string;
  /** The transfer as Circle's webhook reported it; without it, Circle is asked. */
  transfer?: ChainTransfer;
}

export type DepositAccepted = {
  accepted: true;
  id: string;
  status: DepositStatus;
  transferId: string;
  amountUsdc: string;
  amountUsd: string;
};

export type DepositAcceptResult = DepositAccepted | Extract<AcceptResult, { accepted: false }>;


const notYours = {
  accepted: false,
  problem: { status: 404, title: 'Not found', detail: 'No inbound USDC transfer to one of your wallets has this hash' },
} as const;

const failable: DepositStatus[] = ['pending_confirmation', 'confirmed_on_chain', 'off_ramp_initiated', 'off_ramp_complete'];

export function createDepositActivities({ db, providers }: ActivityDeps) {
  return {
    /** Finds the inbound transfer, checks it reached one of this user's wallets, records the deposit once. */
    async acceptDeposit(input: DepositAcceptInput): Promise<DepositAcceptResult> {
      return translated(async () => {
        const transfer = input.transfer ?? (await providers.wallets.findInboundTransfer({ chain: input.chain, txHash: input.txHash }));
        if (!transfer) throw ApplicationFailure.retryable(`Circle has not seen ${input.txHash} on ${input.chain}`, transferNotSeen);
        if (transfer.direction !== 'inbound' || transfer.chain !== input.chain) return notYours;

        const wallet = await walletReachedBy(db, transfer);
        if (!wallet || wallet.userId !== input.userId) return notYours;

        const rows = await db.$queryRaw<{ id: string; status: DepositStatus; amount: string }[]>`
          WITH ins AS (
            INSERT INTO deposits (user_id, wallet_id, chain, tx_hash, amount_stablecoin)
            VALUES (${wallet.userId}::uuid, ${wallet.id}::uuid, ${input.chain}::chain_type, ${input.txHash},
                    ${transfer.amountUsdc}::numeric)
            ON CONFLICT (chain, tx_hash) DO NOTHING
            RETURNING id, status::text AS status, amount_stablecoin::text AS amount
          )
          SELECT * FROM ins
          UNION ALL
          SELECT id, status::text, amount_stablecoin::text FROM deposits
          WHERE chain = ${input.chain}::chain_type AND tx_hash = ${input.txHash}
          LIMIT 1`;
        const row = rows[0]!;
        return {
          accepted: true,
          id: row.id,
          status: row.status,
          transferId: transfer.id,
          amountUsdc: row.amount,
          amountUsd: usdFromUsdc(row.amount),
        };
      });
    },

    async confirmDeposit({ depositId, amountUsd }: { depositId: string; amountUsd: string }): Promise<void> {
      await translated(() =>
        move(db, {
          table: 'deposits',
          id: depositId,
          from: ['pending_confirmation'],
          to: 'confirmed_on_chain',
          set: Prisma.sql`, confirmed_at = now()`,
          balance: Prisma.sql`pending_broker_deposits_usd = pending_broker_deposits_usd + ${usd(amountUsd)}`,
        }),
      );
    },

    /** Starts the payout of the deposit's USD to the broker's bank; records it unless Circle refused it at once. */
    async initiateOffRamp({ depositId, amountUsd }: { depositId: string; amountUsd: string }): Promise<RailMovement> {
      return translated(async () => {
        const payout = await providers.rails.startOffRamp({ amountUsd, idempotencyKey: stepKey('off-ramp') });
        if (payout.status !== 'failed') {
          await move(db, {
            table: 'deposits',
            id: depositId,
            from: ['confirmed_on_chain'],
            to: 'off_ramp_initiated',
            set: Prisma.sql`, off_ramp_initiated_at = now()`,
          });
        }
        return payout;
      });
    },

    async completeOffRamp({ depositId }: { depositId: string }): Promise<void> {
      await translated(() =>
        move(db, {
          table: 'deposits',
          id: depositId,
          from: ['off_ramp_initiated'],
          to: 'off_ramp_complete',
          set: Prisma.sql`, off_ramp_completed_at = now()`,
        }),
      );
    },

    async markBrokerFunded({ depositId, amountUsd }: { depositId: string; amountUsd: string }): Promise<void> {
      await translated(() =>
        move(db, {
          table: 'deposits',
          id: depositId,
          from: ['off_ramp_complete'],
          to: 'broker_funded',
          set: Prisma.sql`, broker_funded_at = now()`,
          balance: Prisma.sql`pending_broker_deposits_usd = pending_broker_deposits_usd - ${usd(amountUsd)},
                               buying_power_usd = buying_power_usd + ${usd(amountUsd)}`,
        }),
      );
    },

    /** Ends the deposit failed; what confirmation added to pending comes out again. */
    async failDeposit({ depositId, amountUsd, reason }: { depositId: string; amountUsd: string; reason: string }): Promise<void> {
      await translated(() =>
        move(db, {
          table: 'deposits',
          id: depositId,
          from: failable,
          to: 'failed',
          set: Prisma.sql`, failure_reason = ${reason}`,
          balance: Prisma.sql`pending_broker_deposits_usd = pending_broker_deposits_usd - ${usd(amountUsd)}`,
          balanceFrom: ['confirmed_on_chain', 'off_ramp_initiated', 'off_ramp_complete'],
        }),
      );
    },
  };
}
