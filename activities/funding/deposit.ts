import { ApplicationFailure } from '@temporalio/common';
import { Prisma, type Db } from '../../src/db/client.js';
import { depositStateOf } from '../../src/db/prepared-reads.js';
import { queryRows } from '../../src/db/raw.js';
import { walletReachedBy } from '../../src/db/wallets.js';
import { Money, usdFromUsdc } from '../../src/domain/money.js';
import { accounts, assets, userAccount } from '../../src/ledger/accounts.js';
import { bookedWith, text } from '../../src/ledger/book.js';
import { depositTransitions, failableStatusesOf, type DepositStatus } from '../../src/domain/status.js';
import type { BrokerTransfer, Chain, ChainTransfer, RailMovement } from '../../src/providers/ports.js';
import type { AcceptResult } from '../../workflows/definitions.js';
import type { ActivityDeps } from '../index.js';
import { transferNotSeen } from './contract.js';
import { byState, byStatus, settledOr, stepKey, translated, type Waiting } from '../failures.js';
import { recordTransfers, type Reached } from './inbound-transfers.js';
import { assertNotFailed, assertReached, assertStatusNotFailed, ledgerReference, liveDeposit, move } from './rows.js';
import { refusal } from '../../src/domain/refusals.js';

// A deposit's rows and ledger. Every fact about the money comes from Circle (the transaction's inbound transfers,
// read by hash, and the deposit's own transfer, read again by id before confirming) and from our wallets table;
// the workflow input names only the transaction. Every balance move takes its amount from the row, in SQL: USD of
// a deposit = its USDC truncated to cents. confirmed_on_chain adds to pending_broker_deposits_usd (and records the
// sub-cent rest as rounding); broker_funded moves it from pending to buying power; failed after confirmation takes
// it out of pending again and records the USDC, which the firm now holds for nobody, as suspense.
//
// Ledger (src/ledger/accounts.ts), each booked by the statement that moves the row:
//   confirmed     circle:wallets:<chain> +usdc; firm:conversion -usd, firm:rounding -(usdc - usd) USDC;
//                 firm:conversion +usd, user pending_deposits -usd USD
//   off_ramped    circle:mint -usd, firm:conversion +usd USDC; firm:conversion -usd, alpaca:firm +usd USD
//   funded        alpaca:firm -usd, alpaca:brokerage +usd; user pending_deposits +usd, buying_power -usd
//   failed        user pending_deposits +usd, firm:suspense -usd (the money stays where it is, for an operator)
//   swept         circle:wallets:<chain> -usdc, circle:mint +usdc (once Mint credited the sweep; no status change)

export interface DepositAcceptInput {
  chain: Chain;
  txHash: string;
  /** Who reported the transaction (`user:<id>`, `circle:<notificationId>`), for the logs only. */
  reportedBy?: string;
}

export type DepositAccepted = {
  accepted: true;
  id: string;
  /** The owner of the wallet the deposit's transfer reached. */
  userId: string;
  status: DepositStatus;
  /** Circle's id of the transfer the deposit row is linked to. */
  transferId: string;
  amountUsdc: string;
  amountUsd: string;
};

export type DepositAcceptResult = DepositAccepted | Extract<AcceptResult, { accepted: false }>;

const notFound = (detail: string) => ({ accepted: false, refusal: refusal('not_found', detail) }) as const;

const failable = failableStatusesOf(depositTransitions);
/** From these a failure gives back what confirmation added to pending, and the USDC goes to suspense. */
const confirmed: DepositStatus[] = ['confirmed_on_chain', 'off_ramp_initiated', 'off_ramp_complete'];

/** Failure type of confirmDeposit when Circle's transfer disagrees with the row: non-retryable, so the saga parks. */
const depositMismatch = 'DepositMismatch';

/** The moved deposit row's USD (its USDC truncated to cents), inside a `move` statement. */
const rowUsd = Prisma.sql`trunc(ledger_when.amount_stablecoin, 2)`;

const roundingReason = 'sub-cent USDC truncated when the deposit was converted to USD (credited to the cent)';

/** The row a deposit's money facts are checked against, with its wallet and its linked transfer. */
interface DepositFacts {
  status: DepositStatus;
  chain: Chain;
  tx_hash: string;
  user_id: string;
  amount: string;
  circle_wallet_id: string;
  address: string;
  wallet_user_id: string;
  transfer_id: string | null;
  token_id: string | null;
}

export function createDepositActivities({ db, providers }: ActivityDeps) {
  /** The USD the row is worth (its USDC truncated to cents): what the payout and the journal move. */
  const usdOf = async (depositId: string, step: string) => usdFromUsdc((await liveDeposit(db, depositId, step)).amountUsdc);

  return {
    /**
     * Reads the transaction's inbound transfers from Circle and records each one that reached a user's wallet:
     * the deposit row (one per chain + hash, from the USDC transfer with the lowest Circle id), `held` for every
     * other USDC transfer, `ignored` for any other token. Answers the transaction's deposit row, whoever reported
     * it (the API shows it only to its owner); 404 when no USDC reached a user's wallet.
     */
    async acceptDeposit({ chain, txHash }: DepositAcceptInput): Promise<DepositAcceptResult> {
      return translated(async () => {
        const transfers = await providers.wallets.listInboundTransfers({ chain, txHash });
        if (transfers.length === 0) throw ApplicationFailure.retryable(`Circle has not seen ${txHash} on ${chain}`, transferNotSeen);

        const reached: Reached[] = [];
        for (const transfer of transfers) {
          if (transfer.direction !== 'inbound' || transfer.chain !== chain) continue;
          // Circle lists transfers to any of our wallets; only a user's wallet makes one a deposit.
          const wallet = await walletReachedBy(db, transfer);
          if (wallet) reached.push({ transfer, wallet });
        }
        if (reached.length === 0) return notFound('No inbound USDC transfer to one of your wallets has this hash');

        const deposit = await recordTransfers(db, chain, txHash, reached);
        if (!deposit) return notFound('No USDC transfer to a user wallet has this hash: what arrived is not USDC');
        if (!deposit.transfer_id) {
          throw ApplicationFailure.nonRetryable(
            `deposit ${deposit.id} matches none of its transaction's transfers at Circle`,
            'DepositUnlinked',
          );
        }
        return {
          accepted: true,
          id: deposit.id,
          userId: deposit.user_id,
          status: deposit.status,
          transferId: deposit.transfer_id,
          amountUsdc: new Money(deposit.amount).toFixed(),
          amountUsd: usdFromUsdc(deposit.amount),
        };
      });
    },

    /** The deposit's transfer as Circle reports it now (the wait for COMPLETE). */
    async readDepositTransfer({
      depositId,
      transferId,
      wait,
    }: { depositId: string; transferId: string } & Waiting): Promise<ChainTransfer> {
      const transfer = await translated(async () => {
        await assertNotFailed(db, 'deposits', depositId, 'readDepositTransfer');
        return providers.wallets.getTransfer(transferId);
      });
      return settledOr(wait, transfer, byState);
    },

    /**
     * Re-reads the deposit's transfer from Circle by its id and confirms the row only if Circle agrees with it:
     * amount, token (the configured USDC, the recorded token id), destination wallet (Circle wallet id and
     * address) and its owner, chain, hash, direction, and COMPLETE. A disagreement fails for good
     * (DepositMismatch), which parks the saga for an operator; nothing is credited.
     */
    async confirmDeposit({ depositId }: { depositId: string }): Promise<void> {
      await translated(async () => {
        const [row] = await queryRows<DepositFacts>(
          db,
          Prisma.sql`
          SELECT d.status::text AS status, d.chain::text AS chain, d.tx_hash, d.user_id::text AS user_id, d.amount_stablecoin::text AS amount,
                 w.circle_wallet_id, w.address, w.user_id::text AS wallet_user_id,
                 i.circle_transfer_id AS transfer_id, i.token_id
          FROM deposits d
          JOIN wallets w ON w.id = d.wallet_id
          LEFT JOIN inbound_transfers i ON i.deposit_id = d.id
          WHERE d.id = ${depositId}::uuid`,
        );
        // The check every step makes before calling a provider, on the row just read.
        assertStatusNotFailed('deposits', depositId, 'confirmDeposit', row?.status);
        const facts = row!;
        if (!facts.transfer_id) throw mismatch(depositId, ['no Circle transfer is recorded for the row']);
        const transfer = await providers.wallets.getTransfer(facts.transfer_id);
        const problems = mismatchesOf(facts, transfer);
        if (problems.length > 0) throw mismatch(depositId, problems);

        const rows = await queryRows<{ ok: boolean }>(
          db,
          Prisma.sql`
          WITH prior AS (
            SELECT id, user_id, amount_stablecoin AS usdc, trunc(amount_stablecoin, 2) AS usd FROM deposits
            WHERE id = ${depositId}::uuid AND status = 'pending_confirmation'
              AND amount_stablecoin = ${facts.amount}::numeric AND user_id = ${facts.user_id}::uuid
            FOR UPDATE
          ), moved AS (
            UPDATE deposits d SET status = 'confirmed_on_chain', confirmed_at = now()
            FROM prior WHERE d.id = prior.id RETURNING prior.user_id, prior.usdc, prior.usd, d.chain
          )${bookedWith({
            name: 'ledger',
            when: 'moved',
            reference: ledgerReference('deposits', depositId),
            kind: text('confirmed'),
            userId: Prisma.sql`moved.user_id`,
            postings: [
              { account: accounts.circleWallets(Prisma.sql`moved.chain`), asset: assets.usdc, amount: Prisma.sql`moved.usdc` },
              { account: accounts.conversion, asset: assets.usdc, amount: Prisma.sql`-moved.usd` },
              { account: accounts.rounding, asset: assets.usdc, amount: Prisma.sql`moved.usd - moved.usdc` },
              { account: accounts.conversion, asset: assets.usd, amount: Prisma.sql`moved.usd` },
              { account: userAccount(Prisma.sql`moved.user_id`, 'pending_deposits'), asset: assets.usd, amount: Prisma.sql`-moved.usd` },
            ],
          })}, credited AS (
            UPDATE balances b SET pending_broker_deposits_usd = b.pending_broker_deposits_usd + moved.usd
            FROM moved WHERE b.user_id = moved.user_id RETURNING 1
          ), rounding AS (
            INSERT INTO unallocated_funds (kind, currency, amount, user_id, source, reason)
            SELECT 'rounding', 'USDC', usdc - usd, user_id, ${`deposit:${depositId}`}, ${roundingReason}
            FROM moved WHERE usdc > usd
            ON CONFLICT (source, kind, currency) DO NOTHING RETURNING 1
          )
          SELECT fundflow_require((SELECT count(*) FROM credited) = 1,
                                  ${`deposits ${depositId}: no balances row to move money on`}) AS ok
          FROM moved`,
        );
        if (rows.length === 0) await unmoved(db, depositId, 'confirmed_on_chain');
      });
    },

    /** Starts the payout of the row's USD to the broker's bank under this step's key; records it unless refused at once. */
    async startDepositOffRamp({ depositId, step }: { depositId: string; step: string }): Promise<RailMovement> {
      return translated(async () => {
        const payout = await providers.rails.startOffRamp({ amountUsd: await usdOf(depositId, step), idempotencyKey: stepKey(step) });
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

    async readDepositOffRamp({ depositId, offRampId, wait }: { depositId: string; offRampId: string } & Waiting): Promise<RailMovement> {
      const payout = await translated(async () => {
        await assertNotFailed(db, 'deposits', depositId, 'readDepositOffRamp');
        return providers.rails.getOffRamp(offRampId);
      });
      return settledOr(wait, payout, byStatus);
    },

    async completeOffRamp({ depositId }: { depositId: string }): Promise<void> {
      await translated(() =>
        move(db, {
          table: 'deposits',
          id: depositId,
          from: ['off_ramp_initiated'],
          to: 'off_ramp_complete',
          set: Prisma.sql`, off_ramp_completed_at = now()`,
          ledger: {
            kind: text('off_ramped'),
            postings: [
              { account: accounts.circleMint, asset: assets.usdc, amount: Prisma.sql`-${rowUsd}` },
              { account: accounts.conversion, asset: assets.usdc, amount: rowUsd },
              { account: accounts.conversion, asset: assets.usd, amount: Prisma.sql`-${rowUsd}` },
              { account: accounts.alpacaFirm, asset: assets.usd, amount: rowUsd },
            ],
          },
        }),
      );
    },

    /** Journals the row's USD into the brokerage account under this step's key. */
    async startDepositFunding({ depositId, step }: { depositId: string; step: string }): Promise<BrokerTransfer> {
      return translated(async () => {
        return providers.broker.fund({ amountUsd: await usdOf(depositId, step), idempotencyKey: stepKey(step) });
      });
    },

    async readDepositFunding({
      depositId,
      brokerTransferId,
      wait,
    }: { depositId: string; brokerTransferId: string } & Waiting): Promise<BrokerTransfer> {
      const journal = await translated(async () => {
        await assertNotFailed(db, 'deposits', depositId, 'readDepositFunding');
        return providers.broker.getTransfer(brokerTransferId);
      });
      return settledOr(wait, journal, byStatus);
    },

    async markBrokerFunded({ depositId }: { depositId: string }): Promise<void> {
      const usd = Prisma.sql`(SELECT trunc(amount_stablecoin, 2) FROM deposits WHERE id = ${depositId}::uuid)`;
      await translated(() =>
        move(db, {
          table: 'deposits',
          id: depositId,
          from: ['off_ramp_complete'],
          to: 'broker_funded',
          set: Prisma.sql`, broker_funded_at = now()`,
          balance: Prisma.sql`pending_broker_deposits_usd = pending_broker_deposits_usd - ${usd},
                               buying_power_usd = buying_power_usd + ${usd}`,
          ledger: {
            kind: text('funded'),
            postings: [
              { account: accounts.alpacaFirm, asset: assets.usd, amount: Prisma.sql`-${rowUsd}` },
              { account: accounts.alpacaBrokerage, asset: assets.usd, amount: rowUsd },
              { account: userAccount(Prisma.sql`ledger_when.user_id`, 'pending_deposits'), asset: assets.usd, amount: rowUsd },
              { account: userAccount(Prisma.sql`ledger_when.user_id`, 'buying_power'), asset: assets.usd, amount: Prisma.sql`-${rowUsd}` },
            ],
          },
        }),
      );
    },

    /**
     * Books the sweep of the row's USDC from the user's wallet into the Mint balance, once (the sweep lives inside
     * confirmed_on_chain: no status change guards it, the NOT EXISTS and the ledger's unique step do).
     */
    async bookDepositSweep({ depositId }: { depositId: string }): Promise<void> {
      const reference = ledgerReference('deposits', depositId);
      await translated(() =>
        queryRows(
          db,
          Prisma.sql`
        WITH swept AS (
          SELECT user_id, chain, amount_stablecoin AS usdc FROM deposits WHERE id = ${depositId}::uuid
            AND NOT EXISTS (SELECT 1 FROM ledger_transactions WHERE reference = ${reference} AND kind = 'swept')
        )${bookedWith({
          name: 'ledger',
          when: 'swept',
          reference,
          kind: text('swept'),
          userId: Prisma.sql`swept.user_id`,
          postings: [
            { account: accounts.circleWallets(Prisma.sql`swept.chain`), asset: assets.usdc, amount: Prisma.sql`-swept.usdc` },
            { account: accounts.circleMint, asset: assets.usdc, amount: Prisma.sql`swept.usdc` },
          ],
        })}
        SELECT count(*)::int AS booked FROM ledger_tx`,
        ),
      );
    },

    /**
     * Ends the deposit failed. After confirmation the same statement takes its USD out of pending and records
     * the USDC the firm now holds for nobody as suspense (the sub-cent rest is already in rounding).
     */
    async failDeposit({ depositId, reason }: { depositId: string; reason: string }): Promise<void> {
      await translated(async () => {
        const rows = await queryRows<{ ok: boolean }>(
          db,
          Prisma.sql`
          WITH prior AS (
            SELECT id, user_id, status::text AS previous, trunc(amount_stablecoin, 2) AS usd FROM deposits
            WHERE id = ${depositId}::uuid AND status::text = ANY(${failable}::text[]) FOR UPDATE
          ), moved AS (
            UPDATE deposits d SET status = 'failed', failure_reason = ${reason}
            FROM prior WHERE d.id = prior.id
            RETURNING prior.user_id, prior.usd, prior.previous = ANY(${confirmed}::text[]) AS was_confirmed
          ), debited AS (
            UPDATE balances b SET pending_broker_deposits_usd = b.pending_broker_deposits_usd - moved.usd
            FROM moved WHERE b.user_id = moved.user_id AND moved.was_confirmed RETURNING 1
          ), ledger_when AS (SELECT * FROM moved WHERE was_confirmed)${bookedWith({
            name: 'ledger',
            when: 'ledger_when',
            reference: ledgerReference('deposits', depositId),
            kind: text('failed'),
            userId: Prisma.sql`ledger_when.user_id`,
            postings: [
              {
                account: userAccount(Prisma.sql`ledger_when.user_id`, 'pending_deposits'),
                asset: assets.usd,
                amount: Prisma.sql`ledger_when.usd`,
              },
              { account: accounts.suspense, asset: assets.usd, amount: Prisma.sql`-ledger_when.usd` },
            ],
          })}, suspense AS (
            INSERT INTO unallocated_funds (kind, currency, amount, user_id, source, reason)
            SELECT 'suspense', 'USDC', usd, user_id, ${`deposit:${depositId}`}, ${reason}
            FROM moved WHERE was_confirmed
            ON CONFLICT (source, kind, currency) DO NOTHING RETURNING 1
          )
          SELECT fundflow_require(NOT was_confirmed OR (SELECT count(*) FROM debited) = 1,
                                  ${`deposits ${depositId}: no balances row to move money on`}) AS ok
          FROM moved`,
        );
        if (rows.length === 0) await unmoved(db, depositId, 'failed');
      });
    },
  };
}

/** How Circle's transfer disagrees with the deposit row (empty: it agrees and is COMPLETE). */
function mismatchesOf(row: DepositFacts, transfer: ChainTransfer): string[] {
  const sameAddress = (a: string, b: string) => (row.chain === 'ethereum' ? a.toLowerCase() === b.toLowerCase() : a === b);
  const problems: string[] = [];
  if (!new Money(transfer.amount).eq(row.amount))
    problems.push(`amount ${transfer.amount} at Circle, ${new Money(row.amount).toFixed()} on the row`);
  if (!transfer.token.isUsdc) problems.push(`token ${transfer.token.symbol ?? '?'} ${transfer.token.address ?? ''} is not USDC`);
  if (transfer.token.id !== row.token_id) problems.push(`token id ${transfer.token.id ?? 'none'} at Circle, ${row.token_id} recorded`);
  if (transfer.walletId !== row.circle_wallet_id)
    problems.push(`Circle wallet ${transfer.walletId}, the row's wallet is ${row.circle_wallet_id}`);
  if (!sameAddress(transfer.destinationAddress, row.address))
    problems.push(`destination ${transfer.destinationAddress}, the row's wallet is ${row.address}`);
  if (row.wallet_user_id !== row.user_id) problems.push(`the wallet belongs to user ${row.wallet_user_id}, the row to ${row.user_id}`);
  if (transfer.direction !== 'inbound') problems.push(`direction ${transfer.direction}`);
  if (transfer.chain !== row.chain || !transfer.txHash || !sameAddress(transfer.txHash, row.tx_hash)) {
    problems.push(`transaction ${transfer.chain} ${transfer.txHash ?? 'without hash'}, the row's is ${row.chain} ${row.tx_hash}`);
  }
  if (transfer.state !== 'complete') problems.push(`state ${transfer.providerState}, not COMPLETE`);
  return problems;
}

function mismatch(depositId: string, problems: string[]): ApplicationFailure {
  return ApplicationFailure.nonRetryable(`deposit ${depositId} disagrees with Circle: ${problems.join('; ')}`, depositMismatch);
}

/** A guarded statement changed nothing: done before (fine), the row failed (RowFailed), or anything else. */
async function unmoved(db: Db, depositId: string, to: DepositStatus): Promise<void> {
  const status = (await depositStateOf(db, depositId))?.status;
  if (to === 'confirmed_on_chain' && status === 'pending_confirmation') {
    throw mismatch(depositId, ['the row changed while it was checked against Circle']);
  }
  assertReached('deposits', depositId, to, status);
}
