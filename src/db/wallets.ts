import type { ChainTransfer } from '../providers/ports.js';
import type { Db } from './client.js';

/**
 * The wallet an inbound transfer reached. Found by its address, which idx_wallets_address covers (the schema has
 * no index on circle_wallet_id, and this runs for every deposit and every Circle notification), and checked
 * against Circle's wallet id.
 */
export function walletReachedBy(db: Db, transfer: Pick<ChainTransfer, 'chain' | 'destinationAddress' | 'walletId'>) {
  return db.wallet.findFirst({
    where: { address: transfer.destinationAddress, chain: transfer.chain, circleWalletId: transfer.walletId },
    select: { id: true, userId: true },
  });
}
