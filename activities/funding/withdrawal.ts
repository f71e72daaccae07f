import { Prisma } from '../../src/db/client.js';
import { formatUsd, Money, usdcFromUsd } from '../../src/domain/money.js';
import { failableStatusesOf, withdrawalTransitions, type WithdrawalStatus } from '../../src/domain/status.js';
import type { BrokerTransfer, Chain, ChainTransfer, MintTransfer, RailMovement } from '../../src/providers/ports.js';
import type { AcceptResult } from '../../workflows/definitions.js';
import type { ActivityDeps } from '../index.js';
import { stepKey, translated } from '../failures.js';
import { accounts, assets, userAccount } from '../../src/ledger/accounts.js';
import { bookedWith, firmReversalOf, text, type Posting } from '../../src/ledger/book.js';
import { assertNotFailed, ledgerReference, move, usd } from './rows.js';
import { refusal } from '../../src/domain/refusals.js';

// A withdrawal's rows and ledger: accepting reserves the amount from buying power in the statement that writes
// the row; failing gives it back in the statement that marks the row failed. The movements in between only
// record their provider refs.
//
// Every activity that calls a provider first checks that the row has not ended `failed` (RowFailed ends the run):
// a run replayed or reset by an operator after the saga failed and gave the reservation back must not move money
// again. The keys would not stop it: a call the provider refused left no idempotency record to replay.
//
// The USDC always leaves from the chain's treasury wallet, which the on-ramp itself funds from the Mint balance;
// the users' own wallets hold their deposits, which were off-ramped already.
//
// Ledger (src/ledger/accounts.ts), each booked by the statement that moves the row, amount a:
//   accepted            user buying_power +a, withdrawing -a
//   broker_withdrawn    alpaca:brokerage -a, alpaca:firm +a
//   on_ramped           alpaca:firm -a, firm:conversion +a USD; firm:conversion -a, circle:mint +a USDC
//   treasury_funded     circle:mint -a, circle:treasury:<chain> +a (booked when the transfer starts)
//   completed           circle:treasury:<chain> -a, firm:conversion +a USDC; firm:conversion -a, user withdrawing +a USD
//   failed              user withdrawing +a, buying_power -a; and the reversal of every firm posting booked so far
//                       (the compensation put the money back where it came from before the row fails)

export interface WithdrawalAcceptInput {
  withdrawalId: string;
  userId: string;
  amountUsd: string;
  targetChain: Chain;
  targetAddress: string;
  idempotencyKey?: string;
  requestHash?: string;
}

/** The chain's treasury wallet: it receives the on-ramped USDC from Mint and sends it to the user. */
export interface TreasuryWallet {
  walletId: string;
  address: string;
}

export type WithdrawalAcceptResult = { accepted: true; id: string; status: WithdrawalStatus } | Extract<AcceptResult, { accepted: false }>;

const failable = failableStatusesOf(withdrawalTransitions);

/** The withdrawal's amount debited to one account and credited to another, inside a `move` statement. */
function amountOf(asset: Posting['asset'], { debit, credit }: { debit: Posting['account']; credit: Posting['account'] }): Posting[] {
  return [
    { account: debit, asset, amount: Prisma.sql`ledger_when.amount_usd` },
    { account: credit, asset, amount: Prisma.sql`-ledger_when.amount_usd` },
  ];
}

/** Shares one pending lookup per key between concurrent activities; a failed lookup is tried again next time. */
function cached<K, V>(cache: Map<K, Promise<V>>, key: K, load: () => Promise<V>): Promise<V> {
  let value = cache.get(key);
  if (!value) {
    value = load();
    value.catch(() => cache.delete(key));
    cache.set(key, value);
  }
  return value;
}

export function createWithdrawalActivities({ db, providers, config }: ActivityDeps) {
  // The treasury wallet per chain: CIRCLE_TREASURY_WALLET_ID_<CHAIN>, or one created at Circle under a constant
  // key, so every process and every restart gets the same wallet back.
  const treasuries = new Map<Chain, Promise<TreasuryWallet>>();
  function treasuryWallet(chain: Chain): Promise<TreasuryWallet> {
    return cached(treasuries, chain, async () => {
      const configured = chain === 'ethereum' ? config.CIRCLE_TREASURY_WALLET_ID_ETHEREUM : config.CIRCLE_TREASURY_WALLET_ID_SOLANA;
      const wallet = configured
        ? await providers.wallets.getWallet(configured)
        : await providers.wallets.createWallet({ userId: 'fundflow-treasury', chain, idempotencyKey: `fundflow:treasury:${chain}` });
      return { walletId: wallet.id, address: wallet.address };
    });
  }

  // The treasury's address in Mint's recipient book, saved once per address under a constant key.
  const recipients = new Map<string, Promise<string>>();
  function treasuryRecipientId(chain: Chain, address: string): Promise<string> {
    return cached(recipients, `${chain}:${address}`, () =>
      providers.rails.saveRecipientAddress({
        chain,
        address,
        description: `fundflow treasury (${chain})`,
        idempotencyKey: `fundflow:treasury-recipient:${chain}:${address}`,
      }),
    );
  }

  const notFailed = (withdrawalId: string, step: string) => assertNotFailed(db, 'withdrawals', withdrawalId, step);

  return {
    /**
     * In one statement: reserve the amount (only if buying power covers it and today's withdrawals stay within
     * WITHDRAWAL_DAILY_LIMIT_USD), insert the row `pending`, and record the Idempotency-Key. A retry finds the row
     * and answers the same; no reservation without a row or vice versa.
     */
    async acceptWithdrawal(input: WithdrawalAcceptInput): Promise<WithdrawalAcceptResult> {
      return translated(async () => {
        const amount = usd(input.amountUsd);
        const limit = usd(config.WITHDRAWAL_DAILY_LIMIT_USD);
        const [row] = await db.$transaction(async (tx) => {
          // The user's balances row is the lock: the statement after it starts once earlier accepts of this user
          // committed, so its daily total counts them (a waiting UPDATE alone would recheck a stale sum).
          await tx.$queryRaw`SELECT 1 FROM balances WHERE user_id = ${input.userId}::uuid FOR UPDATE`;
          return tx.$queryRaw<{ inserted: number; existing: WithdrawalStatus | null; today: string }[]>`
            WITH today AS (
              SELECT COALESCE(SUM(amount_usd), 0) AS total FROM withdrawals
              WHERE user_id = ${input.userId}::uuid AND status <> 'failed' AND id <> ${input.withdrawalId}::uuid
                AND created_at >= date_trunc('day', now() AT TIME ZONE 'UTC') AT TIME ZONE 'UTC'
            ), reserved AS (
              UPDATE balances SET buying_power_usd = buying_power_usd - ${amount}
              WHERE user_id = ${input.userId}::uuid AND buying_power_usd >= ${amount}
                AND (SELECT total FROM today) + ${amount} <= ${limit}
                AND NOT EXISTS (SELECT 1 FROM withdrawals WHERE id = ${input.withdrawalId}::uuid)
              RETURNING user_id
            ), ins AS (
              INSERT INTO withdrawals (id, user_id, amount_usd, target_chain, target_address)
              SELECT ${input.withdrawalId}::uuid, user_id, ${amount}, ${input.targetChain}::chain_type, ${input.targetAddress}
              FROM reserved RETURNING id, user_id
            )${bookedWith({
              name: 'ledger',
              when: 'ins',
              reference: ledgerReference('withdrawals', input.withdrawalId),
              kind: text('accepted'),
              userId: Prisma.sql`ins.user_id`,
              postings: [
                { account: userAccount(Prisma.sql`ins.user_id`, 'buying_power'), asset: assets.usd, amount },
                { account: userAccount(Prisma.sql`ins.user_id`, 'withdrawing'), asset: assets.usd, amount: Prisma.sql`-${amount}` },
              ],
            })}, key AS (
              INSERT INTO idempotency_keys (user_id, key, request_hash, resource_type, resource_id)
              SELECT ${input.userId}::uuid, ${input.idempotencyKey ?? null}, ${input.requestHash ?? ''}, 'withdrawal', id
              FROM ins WHERE ${input.idempotencyKey ?? null}::text IS NOT NULL
              ON CONFLICT (user_id, key) DO NOTHING
              RETURNING 1
            )
            SELECT (SELECT count(*) FROM ins)::int AS inserted,
                   (SELECT status::text FROM withdrawals WHERE id = ${input.withdrawalId}::uuid) AS existing,
                   (SELECT total::text FROM today) AS today`;
        });
        if (row!.inserted === 1) return { accepted: true, id: input.withdrawalId, status: 'pending' };
        if (row!.existing) return { accepted: true, id: input.withdrawalId, status: row!.existing };
        const left = Money.max(0, new Money(config.WITHDRAWAL_DAILY_LIMIT_USD).minus(row!.today));
        if (left.lt(input.amountUsd)) {
          return {
            accepted: false,
            refusal: refusal(
              'daily_limit',
              `Withdrawals are limited to ${formatUsd(config.WITHDRAWAL_DAILY_LIMIT_USD)} USD a day (UTC): ${formatUsd(left)} USD is left today`,
            ),
          };
        }
        return { accepted: false, refusal: refusal('insufficient_funds', `Buying power does not cover ${input.amountUsd} USD`) };
      });
    },

    /** Asks the broker to move the amount out; records the journal unless the broker refused it at once. */
    async initiateBrokerWithdrawal({ withdrawalId, amountUsd }: { withdrawalId: string; amountUsd: string }): Promise<BrokerTransfer> {
      return translated(async () => {
        await notFailed(withdrawalId, 'initiateBrokerWithdrawal');
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
        move(db, {
          table: 'withdrawals',
          id: withdrawalId,
          from: ['broker_withdrawal_initiated'],
          to: 'broker_withdrawal_complete',
          ledger: {
            kind: text('broker_withdrawn'),
            postings: [...amountOf(assets.usd, { debit: accounts.alpacaFirm, credit: accounts.alpacaBrokerage })],
          },
        }),
      );
    },

    /** Wires the USD to Circle to become USDC in the Mint balance. */
    async initiateOnRamp({ withdrawalId, amountUsd }: { withdrawalId: string; amountUsd: string }): Promise<RailMovement> {
      return translated(async () => {
        await notFailed(withdrawalId, 'initiateOnRamp');
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
        move(db, {
          table: 'withdrawals',
          id: withdrawalId,
          from: ['on_ramp_initiated'],
          to: 'on_ramp_complete',
          ledger: {
            kind: text('on_ramped'),
            postings: [
              ...amountOf(assets.usd, { debit: accounts.conversion, credit: accounts.alpacaFirm }),
              ...amountOf(assets.usdc, { debit: accounts.circleMint, credit: accounts.conversion }),
            ],
          },
        }),
      );
    },

    /**
     * The chain's treasury wallet, which the on-ramp funds and the transfer sends from. Its own step, so the
     * wallet is recorded once in the run's history: a configuration change mid-run cannot send the funding to one
     * wallet and the payment from another, and every retry presents the same request under the same key.
     */
    async chooseTreasuryWallet({ withdrawalId, chain }: { withdrawalId: string; chain: Chain }): Promise<TreasuryWallet> {
      return translated(async () => {
        await notFailed(withdrawalId, 'chooseTreasuryWallet');
        return treasuryWallet(chain);
      });
    },

    /**
     * Moves the minted USDC from the Mint balance to the treasury wallet: a Mint transfer to the treasury's
     * address in Mint's recipient book (saved once). Settled by getMintTransfer.
     */
    async fundTreasury(input: { withdrawalId: string; chain: Chain; treasury: TreasuryWallet; amountUsd: string }): Promise<MintTransfer> {
      return translated(async () => {
        await notFailed(input.withdrawalId, 'fundTreasury');
        const recipientAddressId = await treasuryRecipientId(input.chain, input.treasury.address);
        return providers.rails.startMintTransfer({
          recipientAddressId,
          amountUsd: input.amountUsd,
          idempotencyKey: stepKey('treasury-funding'),
        });
      });
    },

    /** Sends the USDC from the treasury wallet on chain to the target address; records the Circle transaction unless refused at once. */
    async initiateWithdrawalTransfer(input: {
      withdrawalId: string;
      treasury: TreasuryWallet;
      chain: Chain;
      targetAddress: string;
      amountUsd: string;
    }): Promise<ChainTransfer> {
      return translated(async () => {
        await notFailed(input.withdrawalId, 'initiateWithdrawalTransfer');
        const transfer = await providers.wallets.sendUsdc({
          walletId: input.treasury.walletId,
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
            ledger: {
              kind: text('treasury_funded'),
              postings: [
                ...amountOf(assets.usdc, {
                  debit: accounts.circleTreasury(Prisma.sql`ledger_when.target_chain`),
                  credit: accounts.circleMint,
                }),
              ],
            },
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
          ledger: {
            kind: text('completed'),
            postings: [
              ...amountOf(assets.usdc, {
                debit: accounts.conversion,
                credit: accounts.circleTreasury(Prisma.sql`ledger_when.target_chain`),
              }),
              ...amountOf(assets.usd, { debit: userAccount(Prisma.sql`ledger_when.user_id`, 'withdrawing'), credit: accounts.conversion }),
            ],
          },
        }),
      );
    },

    /**
     * Compensation: sends the USDC in the treasury back to Mint's deposit address on the chain, where Mint credits
     * it to its balance once the transfer is COMPLETE (settled by getChainTransfer).
     */
    async returnTreasuryUsdc(input: {
      withdrawalId: string;
      chain: Chain;
      treasury: TreasuryWallet;
      amountUsd: string;
      step: string;
    }): Promise<ChainTransfer> {
      return translated(async () => {
        await notFailed(input.withdrawalId, input.step);
        return providers.wallets.sendUsdc({
          walletId: input.treasury.walletId,
          chain: input.chain,
          destinationAddress: await providers.rails.depositAddress(input.chain),
          amountUsdc: usdcFromUsd(input.amountUsd),
          idempotencyKey: stepKey(input.step),
        });
      });
    },

    /** Compensation: redeems the USDC back in the Mint balance to USD at the broker's bank (a payout). */
    async reverseOnRamp({
      withdrawalId,
      amountUsd,
      step,
    }: {
      withdrawalId: string;
      amountUsd: string;
      step: string;
    }): Promise<RailMovement> {
      return translated(async () => {
        await notFailed(withdrawalId, step);
        return providers.rails.startOffRamp({ amountUsd, idempotencyKey: stepKey(step) });
      });
    },

    /** Compensation: journals the withdrawn USD back into the brokerage account. */
    async refundBrokerWithdrawal({
      withdrawalId,
      amountUsd,
      step,
    }: {
      withdrawalId: string;
      amountUsd: string;
      step: string;
    }): Promise<BrokerTransfer> {
      return translated(async () => {
        await notFailed(withdrawalId, step);
        return providers.broker.fund({ amountUsd, idempotencyKey: stepKey(step) });
      });
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
          ledger: {
            kind: text('failed'),
            postings: [
              ...amountOf(assets.usd, {
                debit: userAccount(Prisma.sql`ledger_when.user_id`, 'withdrawing'),
                credit: userAccount(Prisma.sql`ledger_when.user_id`, 'buying_power'),
              }),
            ],
            more: firmReversalOf(ledgerReference('withdrawals', withdrawalId)),
          },
        }),
      );
    },
  };
}
