import { initiateDeveloperControlledWalletsClient } from '@circle-fin/developer-controlled-wallets';
import type { Config } from '../../config.js';
import type { Logger } from '../../logger.js';
import { withDeadline } from '../deadline.js';
import { idempotencyUuid } from '../idempotency.js';
import type { Chain, ChainTransfer, CustodyWallet, TransferState, WalletsPort } from '../ports.js';
import { toCircleError } from './errors.js';

// Circle Programmable Wallets (developer-controlled) behind WalletsPort. Every effectful call passes a stable
// idempotency key derived from ours: the SDK would invent a random one per call otherwise, and a retried
// activity would create a second wallet or send USDC twice. The SDK never retries and has no timeout option,
// so each call gets PROVIDER_TIMEOUT_MS here and retries belong to Temporal.

type Client = ReturnType<typeof initiateDeveloperControlledWalletsClient>;

/** A Circle W3S transaction as the API and its webhooks carry it. */
export interface CircleTransaction {
  id: string;
  state: string;
  blockchain: string;
  transactionType?: string;
  walletId?: string;
  amounts?: string[];
  txHash?: string;
  sourceAddress?: string;
  destinationAddress?: string;
  errorReason?: string | null;
}

const failedStates = new Set(['FAILED', 'DENIED', 'CANCELLED']);

/** Circle's states to ours; STUCK stays pending (Circle may still accelerate or cancel it). */
export function transferState(state: string): TransferState {
  if (state === 'COMPLETE') return 'complete';
  return failedStates.has(state) ? 'failed' : 'pending';
}

/** Circle's blockchain names that fundflow serves, mainnet and testnet. */
export const circleBlockchainChains: Readonly<Record<string, Chain>> = {
  ETH: 'ethereum',
  'ETH-SEPOLIA': 'ethereum',
  SOL: 'solana',
  'SOL-DEVNET': 'solana',
};

const chainOf = (blockchain: string): Chain => circleBlockchainChains[blockchain] ?? (blockchain.startsWith('SOL') ? 'solana' : 'ethereum');

/** A Circle transaction in WalletsPort's words (also used for webhook notifications). */
export function toTransfer(tx: CircleTransaction): ChainTransfer {
  return {
    id: tx.id,
    state: transferState(tx.state),
    providerState: tx.state,
    direction: tx.transactionType === 'INBOUND' ? 'inbound' : 'outbound',
    chain: chainOf(tx.blockchain),
    walletId: tx.walletId ?? '',
    amountUsdc: tx.amounts?.[0] ?? '0',
    txHash: tx.txHash || undefined,
    sourceAddress: tx.sourceAddress || undefined,
    destinationAddress: tx.destinationAddress ?? '',
    errorReason: tx.errorReason || undefined,
  };
}

export function createCircleWallets(config: Config, logger?: Logger): WalletsPort {
  const client: Client = initiateDeveloperControlledWalletsClient({
    apiKey: config.CIRCLE_API_KEY,
    entitySecret: config.CIRCLE_ENTITY_SECRET,
    baseUrl: config.CIRCLE_WALLETS_BASE_URL,
  });
  const blockchainOf = (chain: Chain) => (chain === 'ethereum' ? config.ETHEREUM_BLOCKCHAIN : config.SOLANA_BLOCKCHAIN);

  async function call<T>(operation: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await withDeadline(fn(), config.PROVIDER_TIMEOUT_MS);
    } catch (error) {
      const failure = toCircleError('circle-wallets', error, operation);
      logger?.warn({ provider: 'circle-wallets', operation, kind: failure.kind, status: failure.details.status, code: failure.details.code }, 'provider call failed');
      throw failure;
    }
  }

  // One wallet set for all users, created once per process with a constant key (so all processes share it).
  let walletSet: Promise<string> | undefined;
  function walletSetId(): Promise<string> {
    if (config.CIRCLE_WALLET_SET_ID) return Promise.resolve(config.CIRCLE_WALLET_SET_ID);
    walletSet ??= call('createWalletSet', async () => {
      const res = await client.createWalletSet({ name: 'fundflow users', idempotencyKey: idempotencyUuid('fundflow:wallet-set') });
      const id = res.data?.walletSet?.id;
      if (!id) throw new Error('Circle returned no wallet set');
      return id;
    }).catch((error: unknown) => {
      walletSet = undefined;
      throw error;
    });
    return walletSet;
  }

  // Token ids do not change; learn USDC's per blockchain once, from a wallet's balances (includeAll lists it at 0).
  const usdcTokenIds = new Map<string, string>();
  async function usdcTokenId(walletId: string, blockchain: string): Promise<string> {
    const known = usdcTokenIds.get(blockchain);
    if (known) return known;
    const res = await call('getWalletTokenBalance', () => client.getWalletTokenBalance({ id: walletId, includeAll: true }));
    const token = res.data?.tokenBalances?.find((b) => b.token.symbol === 'USDC' && b.token.blockchain === blockchain)?.token;
    if (!token?.id) throw toCircleError('circle-wallets', new Error(`no USDC token on ${blockchain} for wallet ${walletId}`), 'getWalletTokenBalance');
    usdcTokenIds.set(blockchain, token.id);
    return token.id;
  }

  return {
    async createWallet({ userId, chain, idempotencyKey }): Promise<CustodyWallet> {
      const setId = await walletSetId();
      const res = await call('createWallets', () =>
        client.createWallets({
          walletSetId: setId,
          blockchains: [blockchainOf(chain)],
          count: 1,
          accountType: 'EOA',
          metadata: [{ name: `user ${userId}`, refId: userId }],
          idempotencyKey: idempotencyUuid(idempotencyKey),
        }),
      );
      const wallet = res.data?.wallets?.[0];
      if (!wallet) throw toCircleError('circle-wallets', new Error('Circle created no wallet'), 'createWallets');
      return { id: wallet.id, address: wallet.address, chain, state: wallet.state };
    },

    async getWallet(walletId) {
      const res = await call('getWallet', () => client.getWallet({ id: walletId }));
      const wallet = res.data?.wallet;
      if (!wallet) throw toCircleError('circle-wallets', new Error('Circle returned no wallet'), 'getWallet');
      return { id: wallet.id, address: wallet.address, chain: chainOf(wallet.blockchain), state: wallet.state };
    },

    async getTransfer(transferId) {
      const res = await call('getTransaction', () => client.getTransaction({ id: transferId }));
      const tx = res.data?.transaction as CircleTransaction | undefined;
      if (!tx) throw toCircleError('circle-wallets', new Error('Circle returned no transaction'), 'getTransaction');
      return toTransfer(tx);
    },

    async findInboundTransfer({ chain, txHash }) {
      const res = await call('listTransactions', () =>
        client.listTransactions({ blockchain: blockchainOf(chain), txHash, txType: 'INBOUND', pageSize: 10 }),
      );
      const tx = (res.data?.transactions as CircleTransaction[] | undefined)?.[0];
      return tx ? toTransfer(tx) : undefined;
    },

    async sendUsdc({ walletId, chain, destinationAddress, amountUsdc, idempotencyKey }) {
      const blockchain = blockchainOf(chain);
      const tokenId = await usdcTokenId(walletId, blockchain);
      const res = await call('createTransaction', () =>
        client.createTransaction({
          walletId,
          tokenId,
          destinationAddress,
          amount: [amountUsdc],
          fee: { type: 'level', config: { feeLevel: 'MEDIUM' } },
          idempotencyKey: idempotencyUuid(idempotencyKey),
        }),
      );
      const created = res.data;
      if (!created?.id) throw toCircleError('circle-wallets', new Error('Circle returned no transaction'), 'createTransaction');
      return toTransfer({
        id: created.id,
        state: created.state,
        blockchain,
        transactionType: 'OUTBOUND',
        walletId,
        amounts: [amountUsdc],
        destinationAddress,
      });
    },
  };
}
