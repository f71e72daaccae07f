import { Prisma, type Db } from '../../src/db/client.js';
import { inTransaction } from '../../src/db/raw.js';
import { isUsdcAmount, Money } from '../../src/domain/money.js';
import type { DepositStatus } from '../../src/domain/status.js';
import type { Chain, ChainTransfer } from '../../src/providers/ports.js';

// The inbound transfers of one on-chain transaction, as Circle lists them, recorded once each in
// inbound_transfers: which one is the transaction's deposit row (the seed keeps one per chain + hash), which USDC
// is held for an operator, which token is ignored. Its own module: it changes when the custody rules do, the
// deposit's steps when the saga does.

export interface Reached {
  transfer: ChainTransfer;
  wallet: { id: string; userId: string };
}

export interface RecordedDeposit {
  id: string;
  user_id: string;
  status: DepositStatus;
  amount: string;
  transfer_id: string | null;
}

/**
 * Records every transfer that reached a user's wallet, once (keyed by Circle's transfer id), under a lock on the
 * transaction: the deposit row when the transaction has none (the USDC transfer with the lowest Circle id, so
 * every run and every reporter picks the same), `held` for every other USDC transfer, `ignored` for the rest.
 */
export async function recordTransfers(db: Db, chain: Chain, txHash: string, reached: Reached[]): Promise<RecordedDeposit | undefined> {
  return inTransaction(db, async (tx) => {
    await tx.queryRows(Prisma.sql`SELECT pg_advisory_xact_lock(hashtextextended(${`deposit:${chain}:${txHash}`}, 0))`);
    const existing = async () =>
      (
        await tx.queryRows<RecordedDeposit>(Prisma.sql`
          SELECT d.id::text AS id, d.user_id::text AS user_id, d.status::text AS status, d.amount_stablecoin::text AS amount,
                 i.circle_transfer_id AS transfer_id
          FROM deposits d LEFT JOIN inbound_transfers i ON i.deposit_id = d.id
          WHERE d.chain = ${chain}::chain_type AND d.tx_hash = ${txHash}`)
      )[0];

    const usdc = reached.filter((r) => r.transfer.token.isUsdc).sort((a, b) => (a.transfer.id < b.transfer.id ? -1 : 1));
    let deposit = await existing();
    let linkId = deposit?.transfer_id ?? undefined;
    if (!deposit && usdc[0]) {
      const { transfer, wallet } = usdc[0];
      await tx.execute(Prisma.sql`
        INSERT INTO deposits (user_id, wallet_id, chain, tx_hash, amount_stablecoin)
        VALUES (${wallet.userId}::uuid, ${wallet.id}::uuid, ${chain}::chain_type, ${txHash}, ${transfer.amount}::numeric)`);
      deposit = await existing();
      linkId = transfer.id;
    } else if (deposit && !linkId) {
      // A row written before transfers were recorded: it came from the transfer to its wallet of its amount.
      const row = deposit;
      const [rowWallet] = await tx.queryRows<{ wallet_id: string }>(
        Prisma.sql`SELECT wallet_id::text AS wallet_id FROM deposits WHERE id = ${row.id}::uuid`,
      );
      linkId = usdc.find((r) => r.wallet.id === rowWallet!.wallet_id && new Money(r.transfer.amount).eq(row.amount))?.transfer.id;
    }

    for (const { transfer, wallet } of reached) {
      const disposition = !transfer.token.isUsdc ? 'ignored' : transfer.id === linkId ? 'deposit' : 'held';
      const fits = isUsdcAmount(transfer.amount);
      const reason =
        disposition === 'ignored'
          ? `not USDC: ${transfer.token.symbol ?? 'a token'} ${transfer.token.isNative ? '(native coin)' : (transfer.token.address ?? '(no address)')} on ${transfer.token.blockchain}${fits ? '' : `, amount ${transfer.amount}`}`
          : disposition === 'held'
            ? `another USDC transfer of this transaction is its deposit${deposit ? ` ${deposit.id}` : ''}: held for an operator to credit`
            : null;
      await tx.execute(Prisma.sql`
        INSERT INTO inbound_transfers (circle_transfer_id, chain, tx_hash, wallet_id, user_id, token_id, token_address,
                                       token_symbol, amount, disposition, reason, deposit_id)
        VALUES (${transfer.id}, ${chain}::chain_type, ${txHash}, ${wallet.id}::uuid, ${wallet.userId}::uuid,
                ${transfer.token.id ?? ''}, ${transfer.token.address ?? null}, ${transfer.token.symbol?.slice(0, 50) ?? null},
                ${fits ? transfer.amount : '0'}::numeric, ${disposition}::inbound_disposition, ${reason},
                ${disposition === 'deposit' ? deposit!.id : null}::uuid)
        ON CONFLICT (circle_transfer_id) DO NOTHING`);
    }
    return deposit && linkId ? { ...deposit, transfer_id: linkId } : deposit;
  });
}
