import { initiateDeveloperControlledWalletsClient, type TokenBlockchain } from '@circle-fin/developer-controlled-wallets';
import { Decimal } from 'decimal.js';
import type { Config } from '../../config.js';
import type { Logger } from '../../logger.js';
import { withDeadline } from '../deadline.js';
import { ProviderError } from '../errors.js';
import { idempotencyUuid } from '../idempotency.js';
import type { Chain, ChainToken, ChainTransfer, CustodyWallet, TransferState, WalletsPort } from '../ports.js';
import { toCircleError } from './errors.js';

// Circle Programmable Wallets (developer-controlled) behind WalletsPort. Every effectful call passes a stable
// idempotency key derived from ours: the SDK would invent a random one per call otherwise, and a retried
// activity would create a second wallet or send USDC twice. The SDK never retries and has no timeout option,
// so each call gets PROVIDER_TIMEOUT_MS here and retries belong to Temporal.
// USDC is the configured contract / mint on the configured blockchain (configuredUsdc): a transfer's token is
// resolved by Circle's token id (GET /v1/w3s/tokens/{id}, cached: a token never changes) and compared by address,
// because anyone can deploy a token whose symbol is "USDC"; withdrawals name that token, never a symbol.

type Client = ReturnType<typeof initiateDeveloperControlledWalletsClient>;

/** A Circle W3S transaction as the API and its webhooks carry it. */
export interface CircleTransaction {
  id: string;
  state: string;
  blockchain: string;
  transactionType?: string;
  walletId?: string;
  amounts?: string[];
  tokenId?: string;
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

/** Circle's USDC per blockchain: the default of USDC_ADDRESS_ETHEREUM / USDC_ADDRESS_SOLANA. */
export const circleUsdcAddresses: Readonly<Record<string, string>> = {
  ETH: '0xA0b86991c6218b36c1d19D4a2e9Eb0cE3606eB48',
  'ETH-SEPOLIA': '0x1c7D4B196Cb0C7B01d743Fbc6116a902379C7238',
  SOL: 'EPjFWdd5AufqSSqeM2qN1xzybapC8G4wEGGkZwyTDt1v',
  'SOL-DEVNET': '4zMMC9srt5Ri5X14GAgXhaHii3GnPAEERYPJgZJDncDU',
};

export interface UsdcToken {
  blockchain: string;
  address: string;
  /** Circle's token id, when configured. */
  tokenId?: string;
}

/** The USDC fundflow credits and sends on `chain`: the configured one, else Circle's on the configured blockchain. */
export function configuredUsdc(config: Config, chain: Chain): UsdcToken {
  const blockchain = chain === 'ethereum' ? config.ETHEREUM_BLOCKCHAIN : config.SOLANA_BLOCKCHAIN;
  const address = (chain === 'ethereum' ? config.USDC_ADDRESS_ETHEREUM : config.USDC_ADDRESS_SOLANA) ?? circleUsdcAddresses[blockchain]!;
  const tokenId = chain === 'ethereum' ? config.CIRCLE_USDC_TOKEN_ID_ETHEREUM : config.CIRCLE_USDC_TOKEN_ID_SOLANA;
  return { blockchain, address, ...(tokenId ? { tokenId } : {}) };
}

/** A token as GET /v1/w3s/tokens/{id} describes it. */
interface CircleToken {
  id: string;
  blockchain: string;
  tokenAddress?: string;
  symbol?: string;
  isNative: boolean;
}

/** Circle's token in our words: USDC only when its blockchain and address (and id, if configured) are the configured USDC's. */
function toChainToken(token: CircleToken, usdc: UsdcToken): ChainToken {
  const address = token.tokenAddress || undefined;
  // Hex addresses compare case-insensitively (EIP-55 only adds a checksum); base58 mints are case-sensitive.
  const sameAddress =
    address !== undefined &&
    (token.blockchain.startsWith('SOL') ? address === usdc.address : address.toLowerCase() === usdc.address.toLowerCase());
  const isUsdc = !token.isNative && token.blockchain === usdc.blockchain && sameAddress && (!usdc.tokenId || token.id === usdc.tokenId);
  return { id: token.id, blockchain: token.blockchain, address, symbol: token.symbol, isNative: token.isNative, isUsdc };
}

/** A Circle transaction in WalletsPort's words, with its token already resolved. */
function toTransfer(tx: CircleTransaction, token: ChainToken): ChainTransfer {
  return {
    id: tx.id,
    state: transferState(tx.state),
    providerState: tx.state,
    direction: tx.transactionType === 'INBOUND' ? 'inbound' : 'outbound',
    chain: chainOf(tx.blockchain),
    walletId: tx.walletId ?? '',
    amount: tx.amounts?.[0] ?? '0',
    token,
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
      logger?.warn(
        { provider: 'circle-wallets', operation, kind: failure.kind, status: failure.details.status, code: failure.details.code },
        'provider call failed',
      );
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

  const tokens = new Map<string, Promise<CircleToken>>();
  function circleToken(tokenId: string): Promise<CircleToken> {
    let token = tokens.get(tokenId);
    if (!token) {
      token = call('getToken', async () => {
        const found = (await client.getToken({ id: tokenId })).data?.token;
        if (!found) throw new Error(`Circle returned no token ${tokenId}`);
        return {
          id: found.id,
          blockchain: found.blockchain,
          tokenAddress: found.tokenAddress,
          symbol: found.symbol,
          isNative: found.isNative,
        };
      });
      token.catch(() => tokens.delete(tokenId));
      tokens.set(tokenId, token);
    }
    return token;
  }

  async function transferOf(tx: CircleTransaction): Promise<ChainTransfer> {
    // A transaction that names no token, or one Circle cannot describe, cannot be shown to be USDC.
    const unknown: ChainToken = { id: tx.tokenId, blockchain: tx.blockchain, isNative: false, isUsdc: false };
    if (!tx.tokenId) return toTransfer(tx, unknown);
    try {
      return toTransfer(tx, toChainToken(await circleToken(tx.tokenId), configuredUsdc(config, chainOf(tx.blockchain))));
    } catch (error) {
      if (error instanceof ProviderError && error.kind === 'not_found') return toTransfer(tx, unknown);
      throw error;
    }
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
      return transferOf(tx);
    },

    async listInboundTransfers({ chain, txHash }) {
      const found: CircleTransaction[] = [];
      // A batch sender's transaction can carry more transfers to our wallets than one page holds.
      for (let pageAfter: string | undefined; ;) {
        const res = await call('listTransactions', () =>
          client.listTransactions({ blockchain: blockchainOf(chain), txHash, txType: 'INBOUND', pageSize: 50, pageAfter }),
        );
        const page = (res.data?.transactions ?? []) as CircleTransaction[];
        found.push(...page);
        if (page.length < 50) break;
        pageAfter = page.at(-1)!.id;
      }
      return Promise.all(found.map(transferOf));
    },

    async sendUsdc({ walletId, chain, destinationAddress, amountUsdc, idempotencyKey }) {
      const usdc = configuredUsdc(config, chain);
      // Circle's API needs `blockchain` beside `tokenAddress` (only a tokenId implies it); the SDK's types forbid
      // it next to walletId but send it as given.
      const token = (
        usdc.tokenId ? { tokenId: usdc.tokenId } : { tokenAddress: usdc.address, blockchain: usdc.blockchain as TokenBlockchain }
      ) as { tokenId: string };
      const res = await call('createTransaction', () =>
        client.createTransaction({
          walletId,
          ...token,
          destinationAddress,
          amount: [amountUsdc],
          fee: { type: 'level', config: { feeLevel: 'MEDIUM' } },
          idempotencyKey: idempotencyUuid(idempotencyKey),
        }),
      );
      const created = res.data;
      if (!created?.id) throw toCircleError('circle-wallets', new Error('Circle returned no transaction'), 'createTransaction');
      return toTransfer(
        {
          id: created.id,
          state: created.state,
          blockchain: usdc.blockchain,
          transactionType: 'OUTBOUND',
          walletId,
          amounts: [amountUsdc],
          destinationAddress,
        },
        { id: usdc.tokenId, blockchain: usdc.blockchain, address: usdc.address, symbol: 'USDC', isNative: false, isUsdc: true },
      );
    },

    async usdcBalance(walletId) {
      const res = await call('getWalletBalance', () => client.getWalletTokenBalance({ id: walletId, includeAll: true }));
      let held = new Decimal(0);
      for (const { amount, token } of res.data?.tokenBalances ?? []) {
        const described: CircleToken = {
          id: token.id,
          blockchain: token.blockchain,
          tokenAddress: token.tokenAddress,
          symbol: token.symbol,
          isNative: token.isNative,
        };
        if (toChainToken(described, configuredUsdc(config, chainOf(token.blockchain))).isUsdc) held = held.plus(amount);
      }
      return held.toFixed();
    },

    async findWallets({ chain, refId }) {
      const found: CustodyWallet[] = [];
      for (let pageAfter: string | undefined; ;) {
        const res = await call('listWallets', () =>
          client.listWallets({ refId, blockchain: blockchainOf(chain), pageSize: 50, pageAfter }),
        );
        const page = res.data?.wallets ?? [];
        found.push(...page.map((w) => ({ id: w.id, address: w.address, chain, state: w.state })));
        if (page.length < 50) return found;
        pageAfter = page.at(-1)!.id;
      }
    },

    async listOutboundTransfers(chain) {
      const found: CircleTransaction[] = [];
      for (let pageAfter: string | undefined; ;) {
        const res = await call('listTransactions', () =>
          client.listTransactions({ blockchain: blockchainOf(chain), txType: 'OUTBOUND', pageSize: 50, pageAfter }),
        );
        const page = (res.data?.transactions ?? []) as CircleTransaction[];
        found.push(...page);
        if (page.length < 50) break;
        pageAfter = page.at(-1)!.id;
      }
      return Promise.all(found.map(transferOf));
    },
  };
}
