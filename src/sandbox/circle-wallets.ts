import { randomUUID } from 'node:crypto';
import { Router, type Request } from 'express';
import { Decimal } from 'decimal.js';
import {
  circleBlockchains,
  isAddressFor,
  newAddress,
  newTxHash,
  sameAddress,
  tokenById,
  usdcToken,
  type CircleBlockchain,
} from './chain.js';
import { circleDialect, circleError, data, isUuid, type EntitySecretVault, type NotificationSigner } from './circle-common.js';
import { endpoint, idempotent, queryString, type Reply } from './http.js';
import type { SandboxState } from './state.js';
import type { WebhookSender } from './webhooks.js';

// Circle Programmable Wallets (W3S), developer-controlled: wallet sets, wallets, balances, transfers out and
// inbound transfers recorded by the control API, with transactions moving through Circle's states over time.

export interface W3sTransaction {
  id: string;
  blockchain: CircleBlockchain;
  tokenId: string;
  walletId: string;
  sourceAddress: string;
  destinationAddress: string;
  transactionType: 'INBOUND' | 'OUTBOUND';
  custodyType: 'DEVELOPER';
  state: string;
  amounts: string[];
  nfts: null;
  txHash?: string;
  blockHash?: string;
  blockHeight?: number;
  networkFee?: string;
  firstConfirmDate?: string;
  operation: 'TRANSFER';
  feeLevel?: string;
  refId?: string;
  errorReason?: string;
  createDate: string;
  updateDate: string;
}

interface W3sWallet {
  id: string;
  address: string;
  blockchain: CircleBlockchain;
  createDate: string;
  updateDate: string;
  custodyType: 'DEVELOPER';
  name?: string;
  refId?: string;
  state: 'LIVE' | 'FROZEN';
  walletSetId: string;
  accountType: 'EOA' | 'SCA';
}

interface WalletSet {
  id: string;
  custodyType: 'DEVELOPER';
  name?: string;
  updateDate: string;
  createDate: string;
}

const outboundStates = ['CLEARED', 'QUEUED', 'SENT', 'CONFIRMED', 'COMPLETE'] as const;
const provider = 'circle-wallets' as const;
const now = () => new Date().toISOString();

export class CircleWalletsSim {
  private walletSets = new Map<string, WalletSet>();
  private wallets = new Map<string, W3sWallet>();
  private transactions = new Map<string, W3sTransaction>();
  readonly dialect;

  constructor(
    private readonly state: SandboxState,
    private readonly vault: EntitySecretVault,
    private readonly signer: NotificationSigner,
    private readonly webhooks: WebhookSender,
  ) {
    this.dialect = circleDialect(provider, state.settings.credentials.circleApiKey);
    state.onReset(() => {
      this.walletSets.clear();
      this.wallets.clear();
      this.transactions.clear();
      vault.reset();
    });
  }

  /** An on-chain transfer into one of our wallets, as the control API reports it (undefined: no such wallet). */
  recordInbound(input: { blockchains: readonly string[]; toAddress: string; amount: string; finalState?: 'COMPLETE' | 'FAILED' }): W3sTransaction | undefined {
    const wallet = [...this.wallets.values()].find(
      (w) => input.blockchains.includes(w.blockchain) && sameAddress(w.blockchain, w.address, input.toAddress),
    );
    if (!wallet) return undefined;
    const at = now();
    const tx: W3sTransaction = {
      id: randomUUID(),
      blockchain: wallet.blockchain,
      tokenId: usdcToken(wallet.blockchain).id,
      walletId: wallet.id,
      sourceAddress: newAddress(wallet.blockchain),
      destinationAddress: wallet.address,
      transactionType: 'INBOUND',
      custodyType: 'DEVELOPER',
      state: 'CONFIRMED',
      amounts: [input.amount],
      nfts: null,
      txHash: newTxHash(wallet.blockchain),
      blockHash: newTxHash(wallet.blockchain),
      blockHeight: 1_000_000 + this.transactions.size,
      networkFee: '0',
      firstConfirmDate: at,
      operation: 'TRANSFER',
      createDate: at,
      updateDate: at,
    };
    this.transactions.set(tx.id, tx);
    this.state.recordEffect('chain', 'inboundTransfer', tx.txHash!, true);
    this.webhooks.notifyTransaction(tx);
    this.state.scheduleSteps([() => this.advance(tx, input.finalState ?? 'COMPLETE', input.finalState === 'FAILED' ? 'FAILED_ON_CHAIN' : undefined)]);
    return { ...tx };
  }

  private advance(tx: W3sTransaction, next: string, errorReason?: string): void {
    tx.state = next;
    tx.updateDate = now();
    if (errorReason) tx.errorReason = errorReason;
    if (next === 'SENT' && !tx.txHash) tx.txHash = newTxHash(tx.blockchain);
    if (next === 'CONFIRMED') {
      tx.firstConfirmDate = tx.updateDate;
      tx.blockHash = newTxHash(tx.blockchain);
      tx.blockHeight = 1_000_000 + this.transactions.size;
      tx.networkFee = tx.blockchain.startsWith('ETH') ? '0.000042' : '0.000005';
    }
    this.webhooks.notifyTransaction({ ...tx });
  }

  private balanceOf(wallet: W3sWallet): Decimal {
    let balance = new Decimal(0);
    for (const tx of this.transactions.values()) {
      if (tx.walletId !== wallet.id) continue;
      const amount = new Decimal(tx.amounts[0] ?? '0');
      if (tx.transactionType === 'INBOUND' && tx.state === 'COMPLETE') balance = balance.plus(amount);
      if (tx.transactionType === 'OUTBOUND' && !['FAILED', 'DENIED', 'CANCELLED'].includes(tx.state)) balance = balance.minus(amount);
    }
    return balance;
  }

  private checkSecret(req: Request): void {
    const error = this.vault.check((req.body as Record<string, unknown> | undefined)?.entitySecretCiphertext);
    if (error) throw error;
  }

  private idempotencyKeyOf(req: Request): string {
    const key = (req.body as Record<string, unknown>).idempotencyKey;
    if (!isUuid(key)) throw this.dialect.invalid('idempotencyKey must be a UUID');
    return key;
  }

  private keyed(req: Request, operation: string, apply: () => Reply): Reply {
    this.checkSecret(req);
    const key = this.idempotencyKeyOf(req);
    const { entitySecretCiphertext: _secret, idempotencyKey: _key, ...request } = req.body as Record<string, unknown>;
    return idempotent(this.state, { provider, operation }, key, request, () => circleError(409, 156020, 'The idempotency key was already used with a different request.'), apply);
  }

  router(): Router {
    const router = Router();
    const on = (op: string, fn: Parameters<typeof endpoint>[3], options?: Parameters<typeof endpoint>[4]) =>
      endpoint(this.state, this.dialect, op, fn, options);

    router.get('/v1/w3s/config/entity/publicKey', on('getPublicKey', () => ({ body: data({ publicKey: this.vault.publicKeyPem }) })));

    router.get('/v2/notifications/publicKey/:id', on('getNotificationPublicKey', (req) => {
      if (req.params.id !== this.signer.keyId) throw this.dialect.notFound('public key');
      return { body: data({ id: this.signer.keyId, algorithm: 'ECDSA_SHA_256', publicKey: this.signer.publicKeyDerBase64, createDate: '2024-01-01T00:00:00Z' }) };
    }));

    router.post('/v1/w3s/developer/walletSets', on('createWalletSet', (req) =>
      this.keyed(req, 'createWalletSet', () => {
        const at = now();
        const set: WalletSet = { id: randomUUID(), custodyType: 'DEVELOPER', name: (req.body as { name?: string }).name, createDate: at, updateDate: at };
        this.walletSets.set(set.id, set);
        return { status: 201, body: data({ walletSet: { ...set } }) };
      }),
    ));

    const getWalletSet = on('getWalletSet', (req) => {
      const set = this.walletSets.get(String(req.params.id));
      if (!set) throw this.dialect.notFound('wallet set');
      return { body: data({ walletSet: { ...set } }) };
    });
    router.get('/v1/w3s/walletSets/:id', getWalletSet);
    router.get('/v1/w3s/developer/walletSets/:id', getWalletSet);

    router.post('/v1/w3s/developer/wallets', on('createWallets', (req) =>
      this.keyed(req, 'createWallets', () => {
        const body = req.body as { walletSetId?: string; blockchains?: string[]; count?: number; accountType?: string; metadata?: { name?: string; refId?: string }[] };
        if (!body.walletSetId || !this.walletSets.has(body.walletSetId)) throw this.dialect.notFound('wallet set');
        const blockchains = body.blockchains ?? [];
        if (blockchains.length === 0 || !blockchains.every((b): b is CircleBlockchain => (circleBlockchains as readonly string[]).includes(b))) {
          throw this.dialect.invalid('blockchains');
        }
        const count = body.count ?? 1;
        if (!Number.isInteger(count) || count < 1 || count > 200) throw this.dialect.invalid('count');
        const created: W3sWallet[] = [];
        for (const blockchain of blockchains) {
          for (let i = 0; i < count; i++) {
            const at = now();
            const wallet: W3sWallet = {
              id: randomUUID(),
              address: newAddress(blockchain),
              blockchain,
              createDate: at,
              updateDate: at,
              custodyType: 'DEVELOPER',
              name: body.metadata?.[i]?.name,
              refId: body.metadata?.[i]?.refId,
              state: 'LIVE',
              walletSetId: body.walletSetId,
              accountType: body.accountType === 'SCA' ? 'SCA' : 'EOA',
            };
            this.wallets.set(wallet.id, wallet);
            created.push({ ...wallet });
          }
        }
        return { status: 201, body: data({ wallets: created }) };
      }),
    ));

    router.get('/v1/w3s/wallets', on('listWallets', (req) => {
      const filters = { address: queryString(req, 'address'), blockchain: queryString(req, 'blockchain'), walletSetId: queryString(req, 'walletSetId'), refId: queryString(req, 'refId') };
      const wallets = [...this.wallets.values()].filter(
        (w) =>
          (!filters.address || sameAddress(w.blockchain, w.address, filters.address)) &&
          (!filters.blockchain || w.blockchain === filters.blockchain) &&
          (!filters.walletSetId || w.walletSetId === filters.walletSetId) &&
          (!filters.refId || w.refId === filters.refId),
      );
      return { body: data({ wallets: page(req, wallets) }) };
    }));

    router.get('/v1/w3s/wallets/:id', on('getWallet', (req) => {
      const wallet = this.wallets.get(String(req.params.id));
      if (!wallet) throw this.dialect.notFound('target wallet');
      return { body: data({ wallet: { ...wallet } }) };
    }));

    router.get('/v1/w3s/wallets/:id/balances', on('getWalletBalance', (req) => {
      const wallet = this.wallets.get(String(req.params.id));
      if (!wallet) throw this.dialect.notFound('target wallet');
      const amount = this.balanceOf(wallet);
      const includeAll = queryString(req, 'includeAll') === 'true';
      const tokenBalances = amount.isZero() && !includeAll ? [] : [{ amount: amount.toFixed(), token: usdcToken(wallet.blockchain), updateDate: now() }];
      return { body: data({ tokenBalances }) };
    }));

    router.post('/v1/w3s/developer/transactions/transfer', on('createTransaction', (req) =>
      this.keyed(req, 'createTransaction', () => {
        const body = req.body as { walletId?: string; tokenId?: string; tokenAddress?: string; blockchain?: string; destinationAddress?: string; amounts?: string[]; feeLevel?: string; refId?: string };
        const wallet = body.walletId ? this.wallets.get(body.walletId) : undefined;
        if (!wallet) throw this.dialect.notFound('target wallet');
        const token = body.tokenId ? tokenById(body.tokenId) : body.blockchain ? usdcToken(body.blockchain as CircleBlockchain) : undefined;
        if (!token) throw this.dialect.invalid('tokenId');
        if (token.blockchain !== wallet.blockchain) throw circleError(400, 155220, "Wallet and token's blockchain mismatch.");
        if (!body.destinationAddress || !isAddressFor(wallet.blockchain, body.destinationAddress)) {
          throw circleError(400, 155219, 'Invalid destination address.');
        }
        const amount = body.amounts?.[0];
        if (body.amounts?.length !== 1 || !amount || !/^\d+(\.\d{1,6})?$/.test(amount) || new Decimal(amount).lte(0)) throw this.dialect.invalid('amounts');
        const at = now();
        const tx: W3sTransaction = {
          id: randomUUID(),
          blockchain: wallet.blockchain,
          tokenId: token.id,
          walletId: wallet.id,
          sourceAddress: wallet.address,
          destinationAddress: body.destinationAddress,
          transactionType: 'OUTBOUND',
          custodyType: 'DEVELOPER',
          state: 'INITIATED',
          amounts: [amount],
          nfts: null,
          operation: 'TRANSFER',
          feeLevel: body.feeLevel,
          refId: body.refId,
          createDate: at,
          updateDate: at,
        };
        this.transactions.set(tx.id, tx);
        this.webhooks.notifyTransaction({ ...tx });
        this.state.scheduleSteps(outboundStates.map((next) => () => this.advance(tx, next)));
        return { status: 201, body: data({ id: tx.id, state: tx.state }) };
      }),
    ));

    router.get('/v1/w3s/transactions/:id', on('getTransaction', (req) => {
      const tx = this.transactions.get(String(req.params.id));
      if (!tx) throw this.dialect.notFound('transaction');
      return { body: data({ transaction: { ...tx } }) };
    }));

    router.get('/v1/w3s/transactions', on('listTransactions', (req) => {
      const walletIds = queryString(req, 'walletIds')?.split(',');
      const f = {
        blockchain: queryString(req, 'blockchain'),
        txHash: queryString(req, 'txHash'),
        txType: queryString(req, 'txType'),
        state: queryString(req, 'state'),
        destinationAddress: queryString(req, 'destinationAddress'),
      };
      const transactions = [...this.transactions.values()]
        .filter(
          (tx) =>
            (!f.blockchain || tx.blockchain === f.blockchain) &&
            (!f.txHash || (tx.txHash !== undefined && sameAddress(tx.blockchain, tx.txHash, f.txHash))) &&
            (!f.txType || tx.transactionType === f.txType) &&
            (!f.state || tx.state === f.state) &&
            (!f.destinationAddress || sameAddress(tx.blockchain, tx.destinationAddress, f.destinationAddress)) &&
            (!walletIds || walletIds.includes(tx.walletId)),
        )
        .reverse();
      return { body: data({ transactions: page(req, transactions) }) };
    }));

    return router;
  }
}

/** Circle's cursor paging, reduced to `pageSize` (default 10, max 50) over the filtered list. */
function page<T extends { id: string }>(req: Request, items: T[]): T[] {
  const size = Math.min(Number(queryString(req, 'pageSize') ?? 10) || 10, 50);
  const after = queryString(req, 'pageAfter');
  const start = after ? items.findIndex((i) => i.id === after) + 1 : 0;
  return items.slice(start, start + size).map((i) => ({ ...i }));
}
