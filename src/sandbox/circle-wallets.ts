import { randomUUID } from 'node:crypto';
import { Router, type Request } from 'express';
import { Decimal } from 'decimal.js';
import {
  circleBlockchains,
  contractToken,
  isAddressFor,
  isTxHashFor,
  nativeToken,
  newAddress,
  newTxHash,
  sameAddress,
  tokenById,
  tokenNamed,
  usdcToken,
  type CircleBlockchain,
  type Token,
} from './chain.js';
import { circleDialect, circleError, data, isUuid, type EntitySecretVault, type NotificationSigner } from './circle-common.js';
import { endpoint, idempotent, queryString, type HandlerContext, type Reply } from './http.js';
import type { SandboxState } from './state.js';
import type { WebhookSender } from './webhooks.js';

// Circle Programmable Wallets (W3S), developer-controlled: wallet sets, wallets, balances, transfers out and
// inbound transfers recorded by the control API, with transactions moving through Circle's states over time.
// As strict as Circle about money: every transfer names its token (USDC, the native coin, any other contract,
// a contract that merely calls itself USDC), balances are per token, and a wallet cannot send more of a token
// than its COMPLETE inbound transfers minus its outbound ones that have not failed (155201).

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
const failedStates = ['FAILED', 'DENIED', 'CANCELLED'];

/** A control-API transfer that cannot happen on that chain (an answer of 400, not of Circle's). */
export class ChainInputError extends Error {
  override name = 'ChainInputError';
}

export interface InboundInput {
  /** The Circle blockchains the address may be on (a chain's mainnet and testnet). */
  blockchains: readonly string[];
  toAddress: string;
  amount: string;
  finalState?: 'COMPLETE' | 'FAILED';
  /** The token's symbol: USDC (default), the chain's native coin (ETH, SOL), or any other. */
  token?: string;
  /** The token's contract / mint address; with token USDC and any other address, a counterfeit USDC. */
  tokenAddress?: string;
  /** Part of this on-chain transaction (several transfers, one hash); default a new transaction. */
  txHash?: string;
  sourceAddress?: string;
}
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

  /**
   * An on-chain transfer into one of our wallets (undefined: no wallet of ours has the address), as the control
   * API or another sandbox module (a Mint transfer landing) reports it. It starts CONFIRMED and completes later.
   */
  recordInbound(input: InboundInput): W3sTransaction | undefined {
    const wallet = [...this.wallets.values()].find(
      (w) => input.blockchains.includes(w.blockchain) && sameAddress(w.blockchain, w.address, input.toAddress),
    );
    if (!wallet) return undefined;
    if (input.tokenAddress !== undefined && !isAddressFor(wallet.blockchain, input.tokenAddress)) {
      throw new ChainInputError(`${input.tokenAddress} is not a token address on ${wallet.blockchain}`);
    }
    const token = tokenNamed(wallet.blockchain, input.token, input.tokenAddress);
    if (input.txHash && !isTxHashFor(wallet.blockchain, input.txHash)) {
      throw new ChainInputError(`${input.txHash} is not a transaction hash on ${wallet.blockchain}`);
    }
    const sibling = input.txHash ? this.transactionWithHash(input.txHash) : undefined;
    if (sibling && sibling.blockchain !== wallet.blockchain) {
      throw new ChainInputError(`transaction ${input.txHash} is on ${sibling.blockchain}, not on ${wallet.blockchain}`);
    }
    const at = now();
    const txHash = sibling?.txHash ?? input.txHash ?? newTxHash(wallet.blockchain);
    const tx: W3sTransaction = {
      id: randomUUID(),
      blockchain: wallet.blockchain,
      tokenId: token.id,
      walletId: wallet.id,
      sourceAddress: input.sourceAddress ?? newAddress(wallet.blockchain),
      destinationAddress: wallet.address,
      transactionType: 'INBOUND',
      custodyType: 'DEVELOPER',
      state: 'CONFIRMED',
      amounts: [input.amount],
      nfts: null,
      txHash,
      blockHash: sibling?.blockHash ?? newTxHash(wallet.blockchain),
      blockHeight: sibling?.blockHeight ?? 1_000_000 + this.transactions.size,
      networkFee: '0',
      firstConfirmDate: at,
      operation: 'TRANSFER',
      createDate: at,
      updateDate: at,
    };
    this.transactions.set(tx.id, tx);
    this.state.recordEffect('chain', 'inboundTransfer', tx.id, true);
    this.webhooks.notifyTransaction({ ...tx });
    this.state.scheduleSteps([
      () => this.advance(tx, input.finalState ?? 'COMPLETE', input.finalState === 'FAILED' ? 'FAILED_ON_CHAIN' : undefined),
    ]);
    return { ...tx };
  }

  private transactionWithHash(txHash: string): W3sTransaction | undefined {
    return [...this.transactions.values()].find((tx) => tx.txHash !== undefined && sameAddress(tx.blockchain, tx.txHash, txHash));
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

  /** What the wallet holds of each token it ever received or sent, in the order the tokens first appeared. */
  private balancesOf(wallet: W3sWallet): Map<string, Decimal> {
    const balances = new Map<string, Decimal>();
    for (const tx of this.transactions.values()) {
      if (tx.walletId !== wallet.id) continue;
      const amount = new Decimal(tx.amounts[0] ?? '0');
      const held = balances.get(tx.tokenId) ?? new Decimal(0);
      if (tx.transactionType === 'INBOUND') balances.set(tx.tokenId, tx.state === 'COMPLETE' ? held.plus(amount) : held);
      else balances.set(tx.tokenId, failedStates.includes(tx.state) ? held : held.minus(amount));
    }
    return balances;
  }

  /** The token a transfer out names: by id, by contract address and blockchain, or the native coin (no address). */
  private tokenToSend(body: { tokenId?: string; tokenAddress?: string; blockchain?: string }): Token | undefined {
    if (body.tokenId) return tokenById(body.tokenId);
    const blockchain = circleBlockchains.find((b) => b === body.blockchain);
    if (!blockchain) return undefined;
    if (!body.tokenAddress) return nativeToken(blockchain);
    if (!isAddressFor(blockchain, body.tokenAddress)) return undefined;
    const token = contractToken(blockchain, '', body.tokenAddress);
    return tokenById(token.id);
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

  private keyed(req: Request, ctx: HandlerContext, operation: string, apply: () => Reply): Reply {
    this.checkSecret(req);
    const key = this.idempotencyKeyOf(req);
    const { entitySecretCiphertext: _secret, idempotencyKey: _key, ...request } = req.body as Record<string, unknown>;
    return idempotent(
      this.state,
      { provider, operation },
      key,
      request,
      () => circleError(409, 156020, 'The idempotency key was already used with a different request.'),
      apply,
      ctx,
    );
  }

  router(): Router {
    const router = Router();
    const on = (op: string, fn: Parameters<typeof endpoint>[3], options?: Parameters<typeof endpoint>[4]) =>
      endpoint(this.state, this.dialect, op, fn, options);

    router.get(
      '/v1/w3s/config/entity/publicKey',
      on('getPublicKey', () => ({ body: data({ publicKey: this.vault.publicKeyPem }) })),
    );

    router.get(
      '/v2/notifications/publicKey/:id',
      on('getNotificationPublicKey', (req) => {
        if (req.params.id !== this.signer.keyId) throw this.dialect.notFound('public key');
        return {
          body: data({
            id: this.signer.keyId,
            algorithm: 'ECDSA_SHA_256',
            publicKey: this.signer.publicKeyDerBase64,
            createDate: '2024-01-01T00:00:00Z',
          }),
        };
      }),
    );

    router.post(
      '/v1/w3s/developer/walletSets',
      on(
        'createWalletSet',
        (req, ctx) =>
          this.keyed(req, ctx, 'createWalletSet', () => {
            const at = now();
            const set: WalletSet = {
              id: randomUUID(),
              custodyType: 'DEVELOPER',
              name: (req.body as { name?: string }).name,
              createDate: at,
              updateDate: at,
            };
            this.walletSets.set(set.id, set);
            return { status: 201, body: data({ walletSet: { ...set } }) };
          }),
        { keyed: true },
      ),
    );

    const getWalletSet = on('getWalletSet', (req) => {
      const set = this.walletSets.get(String(req.params.id));
      if (!set) throw this.dialect.notFound('wallet set');
      return { body: data({ walletSet: { ...set } }) };
    });
    router.get('/v1/w3s/walletSets/:id', getWalletSet);
    router.get('/v1/w3s/developer/walletSets/:id', getWalletSet);

    router.post(
      '/v1/w3s/developer/wallets',
      on(
        'createWallets',
        (req, ctx) =>
          this.keyed(req, ctx, 'createWallets', () => {
            const body = req.body as {
              walletSetId?: string;
              blockchains?: string[];
              count?: number;
              accountType?: string;
              metadata?: { name?: string; refId?: string }[];
            };
            if (!body.walletSetId || !this.walletSets.has(body.walletSetId)) throw this.dialect.notFound('wallet set');
            const blockchains = body.blockchains ?? [];
            if (
              blockchains.length === 0 ||
              !blockchains.every((b): b is CircleBlockchain => (circleBlockchains as readonly string[]).includes(b))
            ) {
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
        { keyed: true },
      ),
    );

    router.get(
      '/v1/w3s/wallets',
      on('listWallets', (req) => {
        const filters = {
          address: queryString(req, 'address'),
          blockchain: queryString(req, 'blockchain'),
          walletSetId: queryString(req, 'walletSetId'),
          refId: queryString(req, 'refId'),
        };
        const wallets = [...this.wallets.values()].filter(
          (w) =>
            (!filters.address || sameAddress(w.blockchain, w.address, filters.address)) &&
            (!filters.blockchain || w.blockchain === filters.blockchain) &&
            (!filters.walletSetId || w.walletSetId === filters.walletSetId) &&
            (!filters.refId || w.refId === filters.refId),
        );
        return { body: data({ wallets: page(req, wallets) }) };
      }),
    );

    router.get(
      '/v1/w3s/wallets/:id',
      on('getWallet', (req) => {
        const wallet = this.wallets.get(String(req.params.id));
        if (!wallet) throw this.dialect.notFound('target wallet');
        return { body: data({ wallet: { ...wallet } }) };
      }),
    );

    router.get(
      '/v1/w3s/wallets/:id/balances',
      on('getWalletBalance', (req) => {
        const wallet = this.wallets.get(String(req.params.id));
        if (!wallet) throw this.dialect.notFound('target wallet');
        const balances = this.balancesOf(wallet);
        // includeAll also lists USDC, which Circle monitors for every wallet, when the wallet holds none.
        if (queryString(req, 'includeAll') === 'true' && !balances.has(usdcToken(wallet.blockchain).id)) {
          balances.set(usdcToken(wallet.blockchain).id, new Decimal(0));
        }
        const includeZero = queryString(req, 'includeAll') === 'true';
        const tokenBalances = [...balances]
          .filter(([, amount]) => includeZero || !amount.isZero())
          .map(([tokenId, amount]) => ({ amount: amount.toFixed(), token: tokenById(tokenId)!, updateDate: now() }));
        return { body: data({ tokenBalances }) };
      }),
    );

    router.get(
      '/v1/w3s/tokens/:id',
      on('getToken', (req) => {
        const token = tokenById(String(req.params.id));
        if (!token) throw this.dialect.notFound('token');
        return { body: data({ token }) };
      }),
    );

    router.post(
      '/v1/w3s/developer/transactions/transfer',
      on(
        'createTransaction',
        (req, ctx) =>
          this.keyed(req, ctx, 'createTransaction', () => {
            const body = req.body as {
              walletId?: string;
              tokenId?: string;
              tokenAddress?: string;
              blockchain?: string;
              destinationAddress?: string;
              amounts?: string[];
              feeLevel?: string;
              refId?: string;
            };
            const wallet = body.walletId ? this.wallets.get(body.walletId) : undefined;
            if (!wallet) throw this.dialect.notFound('target wallet');
            const token = this.tokenToSend(body);
            if (!token) throw this.dialect.invalid(body.tokenId ? 'tokenId' : 'tokenAddress');
            if (token.blockchain !== wallet.blockchain) throw circleError(400, 155220, "Wallet and token's blockchain mismatch.");
            if (!body.destinationAddress || !isAddressFor(wallet.blockchain, body.destinationAddress)) {
              throw circleError(400, 155219, 'Invalid destination address.');
            }
            const amount = body.amounts?.[0];
            if (body.amounts?.length !== 1 || !amount || !/^\d+(\.\d{1,6})?$/.test(amount) || new Decimal(amount).lte(0))
              throw this.dialect.invalid('amounts');
            if ((this.balancesOf(wallet).get(token.id) ?? new Decimal(0)).lt(amount)) {
              throw circleError(400, 155201, 'Not enough funds to fulfill the withdraw request.');
            }
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
        { keyed: true },
      ),
    );

    router.get(
      '/v1/w3s/transactions/:id',
      on('getTransaction', (req) => {
        const tx = this.transactions.get(String(req.params.id));
        if (!tx) throw this.dialect.notFound('transaction');
        return { body: data({ transaction: { ...tx } }) };
      }),
    );

    router.get(
      '/v1/w3s/transactions',
      on('listTransactions', (req) => {
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
      }),
    );

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
