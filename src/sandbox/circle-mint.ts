import { createHash, randomUUID } from 'node:crypto';
import { Router, type Request } from 'express';
import { Decimal } from 'decimal.js';
import { isAddressFor, isEvm, isUsdcToken, newAddress, newTxHash, sameAddress } from './chain.js';
import { circleDialect, circleError, data, isUuid } from './circle-common.js';
import { endpoint, idempotent, queryString, type HandlerContext, type Reply } from './http.js';
import type { SandboxState } from './state.js';

// Circle Mint (the business account): wire bank accounts, payouts of USD to a bank (the off-ramp), incoming
// wires shown as deposits (the on-ramp; Circle's sandbox simulates the wire with POST /v1/mocks/payments/wire)
// and balances. Payouts and deposits are `pending` and settle a few steps later, `complete` or `failed`.
//
// The balance's chain side shares the chain with Programmable Wallets (MintChainLink, wired in server.ts):
// a transfer to an address of the recipient book debits the balance at once and arrives as an inbound W3S
// transfer to the wallet owning the address, and is `complete` with that transaction's hash once it is COMPLETE;
// USDC that a W3S wallet sends to one of Mint's deposit addresses is credited when its transfer is COMPLETE, and
// listed among the business transfers as an incoming one (source `blockchain`, with its transaction hash).
//
// The balance starts at 0 and nothing leaves beyond it: a payout or a transfer it does not cover fails
// (`insufficient_funds`). Its fiat side is linked to the firm's bank, which the sandbox stands in for with the
// Alpaca firm account (MintBankLink, wired in server.ts): a payout credits it when it completes, and the incoming
// wire of an on-ramp leaves it (a wire it cannot cover fails).

const provider = 'circle-mint' as const;
const masterWalletId = '1000216185';
const now = () => new Date().toISOString();

interface WireBank {
  id: string;
  status: 'pending' | 'complete' | 'failed';
  description: string;
  trackingRef: string;
  fingerprint: string;
  billingDetails: unknown;
  bankAddress: unknown;
  createDate: string;
  updateDate: string;
  accountNumber: string;
}

interface Payout {
  id: string;
  sourceWalletId: string;
  destination: { type: 'wire'; id: string; name: string };
  amount: { amount: string; currency: 'USD' };
  fees: { amount: string; currency: 'USD' };
  status: 'pending' | 'complete' | 'failed';
  trackingRef: string | null;
  errorCode: string | null;
  riskEvaluation: null;
  createDate: string;
  updateDate: string;
}

interface Deposit {
  id: string;
  sourceWalletId?: string;
  destination: { type: 'wallet'; id: string };
  amount: { amount: string; currency: 'USD' };
  fee: { amount: string; currency: 'USD' };
  status: 'pending' | 'complete' | 'failed';
  riskEvaluation: null;
  createDate: string;
  updateDate: string;
}

type MintChain = 'ETH' | 'SOL';
const mintChains: readonly MintChain[] = ['ETH', 'SOL'];
/** Mint names a chain without its network; the W3S blockchains it reaches on each. */
const blockchainsOf: Record<MintChain, readonly string[]> = { ETH: ['ETH', 'ETH-SEPOLIA'], SOL: ['SOL', 'SOL-DEVNET'] };
const mintChainOf = (blockchain: string): MintChain => (isEvm(blockchain) ? 'ETH' : 'SOL');

interface RecipientAddress {
  id: string;
  address: string;
  chain: MintChain;
  currency: 'USD';
  description: string;
  /** Real Mint has an admin approve each address (pending_verification first); here they are active at once. */
  status: 'active';
}

interface DepositAddress {
  address: string;
  currency: 'USD';
  chain: MintChain;
}

interface Transfer {
  id: string;
  source: { type: 'wallet'; id: string };
  destination: { type: 'blockchain'; address: string; chain: MintChain };
  amount: { amount: string; currency: 'USD' };
  transactionHash?: string;
  status: 'pending' | 'complete' | 'failed';
  errorCode: string | null;
  createDate: string;
}

/** USDC that reached one of Mint's deposit addresses on chain, as Mint lists it among its transfers. */
interface IncomingTransfer {
  id: string;
  source: { type: 'blockchain'; chain: MintChain };
  destination: { type: 'wallet'; id: string };
  amount: { amount: string; currency: 'USD' };
  transactionHash?: string;
  status: 'complete';
  errorCode: null;
  createDate: string;
}

/** The W3S side of the chain, as Mint needs it. */
export interface MintChainLink {
  /**
   * Records USDC that Mint sent to `toAddress` as an inbound transfer of the W3S wallet owning the address;
   * undefined when no wallet does (the USDC went to someone else's address).
   */
  deliver(input: {
    blockchains: readonly string[];
    toAddress: string;
    amount: string;
  }): { id: string; state: string; txHash?: string } | undefined;
}

/** The firm's bank, where payouts land and the on-ramp's wires leave from. */
export interface MintBankLink {
  /** A payout arrived. */
  receive(amount: Decimal): void;
  /** Sends a wire to Circle: false (and nothing moves) when the bank does not hold `amount`. */
  send(amount: Decimal): boolean;
}

/** A W3S transaction in a new state, as the wallets sim announces it. */
export interface ChainTransaction {
  id: string;
  state: string;
  transactionType: string;
  blockchain: string;
  tokenId: string;
  destinationAddress: string;
  amounts: string[];
  txHash?: string;
}

const usdAmount = /^\d+(\.\d{1,2})?$/;

export class CircleMintSim {
  private banks = new Map<string, WireBank>();
  private payouts = new Map<string, Payout>();
  private deposits = new Map<string, Deposit>();
  private recipients = new Map<string, RecipientAddress>();
  private depositAddresses = new Map<MintChain, DepositAddress>();
  private transfers = new Map<string, Transfer | IncomingTransfer>();
  /** Mint transfers waiting for their inbound W3S transaction (by its id) to settle. */
  private deliveries = new Map<string, Transfer>();
  /** W3S transactions already credited to the balance (a state is announced once, but be sure). */
  private credited = new Set<string>();
  private availableUsd = new Decimal(0);
  readonly dialect;

  constructor(
    private readonly state: SandboxState,
    private readonly chain?: MintChainLink,
    private readonly bank?: MintBankLink,
  ) {
    this.dialect = circleDialect(provider, state.settings.credentials.circleApiKey);
    state.onReset(() => {
      this.banks.clear();
      this.payouts.clear();
      this.deposits.clear();
      this.recipients.clear();
      this.depositAddresses.clear();
      this.transfers.clear();
      this.deliveries.clear();
      this.credited.clear();
      this.availableUsd = new Decimal(0);
    });
  }

  /**
   * A W3S transaction reached a new state: USDC arriving COMPLETE at one of our deposit addresses is credited to
   * the balance; the inbound side of one of our transfers settles that transfer.
   */
  observeTransaction(tx: ChainTransaction): void {
    if (tx.transactionType === 'OUTBOUND' && tx.state === 'COMPLETE') this.creditDeposit(tx);
    if (tx.transactionType === 'INBOUND') {
      const transfer = this.deliveries.get(tx.id);
      if (transfer) this.settleDelivery(transfer, tx);
    }
  }

  private creditDeposit(tx: ChainTransaction): void {
    const chain = mintChainOf(tx.blockchain);
    const depositAddress = this.depositAddresses.get(chain);
    if (!depositAddress || !sameAddress(tx.blockchain, depositAddress.address, tx.destinationAddress)) return;
    // Only Circle's USDC (by contract, not by symbol) becomes Mint balance; anything else sent here is lost.
    if (!isUsdcToken(tx.tokenId) || this.credited.has(tx.id)) return;
    this.credited.add(tx.id);
    const amount = new Decimal(tx.amounts[0] ?? '0');
    this.availableUsd = this.availableUsd.plus(amount);
    const incoming: IncomingTransfer = {
      id: randomUUID(),
      source: { type: 'blockchain', chain },
      destination: { type: 'wallet', id: masterWalletId },
      amount: { amount: amount.toFixed(Math.max(2, amount.decimalPlaces())), currency: 'USD' },
      transactionHash: tx.txHash,
      status: 'complete',
      errorCode: null,
      createDate: now(),
    };
    this.transfers.set(incoming.id, incoming);
    this.state.recordEffect(provider, 'chainDeposit', tx.id, true);
  }

  /** The available balance (the control API's view of the pool). */
  get balanceUsd(): Decimal {
    return this.availableUsd;
  }

  private settleDelivery(transfer: Transfer, tx: { id: string; state: string; txHash?: string }): void {
    if (tx.state !== 'COMPLETE' && tx.state !== 'FAILED') return;
    this.deliveries.delete(tx.id);
    transfer.transactionHash = tx.txHash;
    if (tx.state === 'COMPLETE') {
      transfer.status = 'complete';
    } else {
      transfer.status = 'failed';
      transfer.errorCode = 'blockchain_error';
      this.availableUsd = this.availableUsd.plus(transfer.amount.amount);
    }
  }

  /** Debits the balance at once (or fails the transfer later), then puts the USDC on chain one step later. */
  private sendTransfer(transfer: Transfer, ctx: HandlerContext): void {
    const amount = new Decimal(transfer.amount.amount);
    const errorCode = ctx.reject ? 'transfer_denied' : this.availableUsd.lt(amount) ? 'insufficient_funds' : null;
    if (errorCode) {
      this.state.scheduleSteps(
        [
          () => {
            transfer.status = 'failed';
            transfer.errorCode = errorCode;
          },
        ],
        this.state.settings.stepDelayMs * 2,
      );
      return;
    }
    this.availableUsd = this.availableUsd.minus(amount);
    const { address, chain } = transfer.destination;
    this.state.scheduleSteps([
      () => {
        const inbound = this.chain?.deliver({ blockchains: blockchainsOf[chain], toAddress: address, amount: amount.toFixed() });
        if (!inbound) {
          const txHash = newTxHash(chain);
          this.state.scheduleSteps([() => this.settleDelivery(transfer, { id: '', state: 'COMPLETE', txHash })]);
          return;
        }
        this.deliveries.set(inbound.id, transfer);
        this.settleDelivery(transfer, inbound);
      },
    ]);
  }

  private keyed(req: Request, operation: string, apply: () => Reply): Reply {
    const body = req.body as Record<string, unknown> | undefined;
    const key = body?.idempotencyKey;
    if (!isUuid(key)) throw circleError(400, 2, 'Invalid entity.\nidempotencyKey must be a UUID');
    return idempotent(
      this.state,
      { provider, operation },
      key,
      body,
      () => circleError(409, 1, 'The idempotency key was already used with a different request.'),
      apply,
    );
  }

  private amountOf(req: Request): string {
    const amount = (req.body as { amount?: { amount?: unknown; currency?: unknown } }).amount;
    if (
      typeof amount?.amount !== 'string' ||
      !usdAmount.test(amount.amount) ||
      new Decimal(amount.amount).lte(0) ||
      amount.currency !== 'USD'
    ) {
      throw circleError(400, 2, 'Invalid entity.\namount must be a positive USD amount');
    }
    return new Decimal(amount.amount).toFixed(2);
  }

  private instructionsFor(bank: WireBank) {
    return {
      trackingRef: bank.trackingRef,
      beneficiary: { name: 'CIRCLE INTERNET FINANCIAL INC', address1: '1 MAIN STREET', address2: 'SUITE 1' },
      beneficiaryBank: {
        name: 'CRYPTO BANK',
        swiftCode: 'CRYPTO99',
        routingNumber: '999999999',
        accountNumber: bank.accountNumber,
        currency: 'USD',
        address: '1 MONEY STREET',
        city: 'NEW YORK',
        postalCode: '1001',
        country: 'US',
      },
    };
  }

  private settlePayout(payout: Payout, ctx: HandlerContext): void {
    const amount = new Decimal(payout.amount.amount);
    const errorCode = ctx.reject ? 'transaction_denied' : this.availableUsd.lt(amount) ? 'insufficient_funds' : null;
    if (!errorCode) this.availableUsd = this.availableUsd.minus(amount);
    this.state.scheduleSteps(
      [
        () => {
          payout.updateDate = now();
          payout.status = errorCode ? 'failed' : 'complete';
          payout.errorCode = errorCode;
          if (!errorCode) {
            payout.trackingRef = `CIR${payout.id.slice(0, 7).toUpperCase()}`;
            this.bank?.receive(amount);
          }
        },
      ],
      this.state.settings.stepDelayMs * 2,
    );
  }

  router(): Router {
    const router = Router();
    const on = (op: string, fn: Parameters<typeof endpoint>[3], options?: Parameters<typeof endpoint>[4]) =>
      endpoint(this.state, this.dialect, op, fn, options);

    router.post(
      '/v1/businessAccount/banks/wires',
      on('createWireBank', (req) =>
        this.keyed(req, 'createWireBank', () => {
          const body = req.body as {
            accountNumber?: string;
            routingNumber?: string;
            iban?: string;
            billingDetails?: unknown;
            bankAddress?: unknown;
          };
          if (!body.accountNumber && !body.iban) throw circleError(400, 2, 'Invalid entity.\naccountNumber may not be null');
          if (!body.billingDetails || !body.bankAddress)
            throw circleError(400, 2, 'Invalid entity.\nbillingDetails and bankAddress are required');
          const id = randomUUID();
          const account = body.accountNumber ?? body.iban ?? '';
          const at = now();
          const bank: WireBank = {
            id,
            status: 'complete',
            description: `WELLS FARGO BANK, NA ****${account.slice(-4)}`,
            trackingRef: `CIR${createHash('sha1').update(id).digest('hex').slice(0, 7).toUpperCase()}`,
            fingerprint: randomUUID(),
            billingDetails: body.billingDetails,
            bankAddress: body.bankAddress,
            createDate: at,
            updateDate: at,
            accountNumber: String(createHash('sha1').update(`account:${id}`).digest().readBigUInt64BE() % 10n ** 12n).padStart(12, '0'),
          };
          this.banks.set(id, bank);
          return { status: 201, body: data(publicBank(bank)) };
        }),
      ),
    );

    router.get(
      '/v1/businessAccount/banks/wires',
      on('listWireBanks', () => ({ body: data([...this.banks.values()].map(publicBank)) })),
    );

    router.get(
      '/v1/businessAccount/banks/wires/:id',
      on('getWireBank', (req) => {
        const bank = this.banks.get(String(req.params.id));
        if (!bank) throw this.dialect.notFound('wire bank account');
        return { body: data(publicBank(bank)) };
      }),
    );

    router.get(
      '/v1/businessAccount/banks/wires/:id/instructions',
      on('getWireInstructions', (req) => {
        const bank = this.banks.get(String(req.params.id));
        if (!bank) throw this.dialect.notFound('wire bank account');
        return { body: data(this.instructionsFor(bank)) };
      }),
    );

    router.post(
      '/v1/businessAccount/payouts',
      on(
        'createPayout',
        (req, ctx) =>
          this.keyed(req, 'createPayout', () => {
            const destination = (req.body as { destination?: { type?: string; id?: string } }).destination;
            const amount = this.amountOf(req);
            if (destination?.type !== 'wire' || !destination.id)
              throw circleError(400, 2, 'Invalid entity.\ndestination must be a wire bank account');
            const bank = this.banks.get(destination.id);
            if (!bank) throw circleError(400, 1100, 'The destination bank account was not found.');
            const at = now();
            const payout: Payout = {
              id: randomUUID(),
              sourceWalletId: masterWalletId,
              destination: { type: 'wire', id: bank.id, name: bank.description },
              amount: { amount, currency: 'USD' },
              fees: { amount: '0.00', currency: 'USD' },
              status: 'pending',
              trackingRef: null,
              errorCode: null,
              riskEvaluation: null,
              createDate: at,
              updateDate: at,
            };
            this.payouts.set(payout.id, payout);
            this.settlePayout(payout, ctx);
            return { status: 201, body: data({ ...payout }) };
          }),
        { rejectInside: true },
      ),
    );

    router.get(
      '/v1/businessAccount/payouts/:id',
      on('getPayout', (req) => {
        const payout = this.payouts.get(String(req.params.id));
        if (!payout) throw this.dialect.notFound('payout');
        return { body: data({ ...payout }) };
      }),
    );

    router.get(
      '/v1/businessAccount/payouts',
      on('listPayouts', (req) => ({ body: data(newestFirstPage(req, [...this.payouts.values()])) })),
    );

    // Circle's sandbox-only simulation of a wire arriving from a bank. It takes no idempotency key at Circle;
    // this sandbox honours one when sent, and names the resulting deposit by it (see the Mint adapter).
    router.post(
      '/v1/mocks/payments/wire',
      on(
        'createMockWire',
        (req, ctx) => {
          const body = req.body as { trackingRef?: string; idempotencyKey?: string; beneficiaryBank?: { accountNumber?: string } };
          const amount = this.amountOf(req);
          const bank = [...this.banks.values()].find((b) => b.trackingRef === body.trackingRef);
          if (!bank) throw circleError(400, 2, 'Invalid entity.\ntrackingRef does not match a wire bank account');
          if (body.beneficiaryBank?.accountNumber !== bank.accountNumber)
            throw circleError(400, 2, 'Invalid entity.\nbeneficiaryBank.accountNumber does not match the wire instructions');
          const apply = (id: string): Reply => {
            const at = now();
            const deposit: Deposit = {
              id,
              destination: { type: 'wallet', id: masterWalletId },
              amount: { amount, currency: 'USD' },
              fee: { amount: '0.00', currency: 'USD' },
              status: 'pending',
              riskEvaluation: null,
              createDate: at,
              updateDate: at,
            };
            this.deposits.set(id, deposit);
            // The wire leaves the firm's bank now; one it cannot cover never arrives.
            const failed = ctx.reject || !(this.bank?.send(new Decimal(amount)) ?? true);
            this.state.scheduleSteps(
              [
                () => {
                  deposit.updateDate = now();
                  deposit.status = failed ? 'failed' : 'complete';
                  if (!failed) this.availableUsd = this.availableUsd.plus(amount);
                },
              ],
              this.state.settings.stepDelayMs * 2,
            );
            return {
              status: 201,
              body: data({
                trackingRef: bank.trackingRef,
                amount: { amount, currency: 'USD' },
                beneficiaryBank: { accountNumber: bank.accountNumber },
                status: 'pending',
              }),
            };
          };
          if (!isUuid(body.idempotencyKey)) return apply(randomUUID());
          const key = body.idempotencyKey;
          return idempotent(
            this.state,
            { provider, operation: 'createMockWire' },
            key,
            body,
            () => circleError(409, 1, 'The idempotency key was already used with a different request.'),
            () => apply(key),
          );
        },
        { rejectInside: true },
      ),
    );

    router.get(
      '/v1/businessAccount/deposits',
      on('listDeposits', (req) => {
        const deposits = [...this.deposits.values()].reverse();
        const size = Math.min(Number(queryString(req, 'pageSize') ?? 50) || 50, 50);
        const after = queryString(req, 'pageAfter');
        const start = after ? deposits.findIndex((d) => d.id === after) + 1 : 0;
        return { body: data(deposits.slice(start, start + size).map((d) => ({ ...d }))) };
      }),
    );

    router.post(
      '/v1/businessAccount/wallets/addresses/recipient',
      on('createRecipientAddress', (req) =>
        this.keyed(req, 'createRecipientAddress', () => {
          const body = req.body as { address?: unknown; chain?: unknown; currency?: unknown; description?: unknown };
          const chain = mintChains.find((c) => c === body.chain);
          if (!chain) throw circleError(400, 2, 'Invalid entity.\nchain must be one of ETH, SOL');
          if (typeof body.address !== 'string' || !isAddressFor(chain, body.address))
            throw circleError(400, 5003, 'The address is not valid for the chain.');
          if (body.currency !== undefined && body.currency !== null && body.currency !== 'USD')
            throw circleError(400, 2, 'Invalid entity.\ncurrency must be USD');
          if (typeof body.description !== 'string' || body.description === '')
            throw circleError(400, 2, 'Invalid entity.\ndescription may not be empty');
          const recipient: RecipientAddress = {
            id: randomUUID(),
            address: body.address,
            chain,
            currency: 'USD',
            description: body.description,
            status: 'active',
          };
          this.recipients.set(recipient.id, recipient);
          // 200, not 201: Circle's description documents this create (alone among Mint's) as 200.
          return { status: 200, body: data({ ...recipient }) };
        }),
      ),
    );

    router.get(
      '/v1/businessAccount/wallets/addresses/recipient',
      on('listRecipientAddresses', () => ({
        body: data([...this.recipients.values()].reverse().map((r) => ({ ...r }))),
      })),
    );

    router.post(
      '/v1/businessAccount/wallets/addresses/deposit',
      on('createDepositAddress', (req) =>
        this.keyed(req, 'createDepositAddress', () => {
          const body = req.body as { chain?: unknown; currency?: unknown };
          const chain = mintChains.find((c) => c === body.chain);
          if (!chain) throw circleError(400, 2, 'Invalid entity.\nchain must be one of ETH, SOL');
          if (body.currency !== 'USD') throw circleError(400, 2, 'Invalid entity.\ncurrency must be USD');
          // One deposit address per chain: asking again hands out the same one, as Circle does.
          let address = this.depositAddresses.get(chain);
          if (!address) {
            address = { address: newAddress(chain), currency: 'USD', chain };
            this.depositAddresses.set(chain, address);
          }
          return { status: 201, body: data({ ...address }) };
        }),
      ),
    );

    router.get(
      '/v1/businessAccount/wallets/addresses/deposit',
      on('listDepositAddresses', () => ({
        body: data([...this.depositAddresses.values()].map((a) => ({ ...a }))),
      })),
    );

    router.post(
      '/v1/businessAccount/transfers',
      on(
        'createTransfer',
        (req, ctx) =>
          this.keyed(req, 'createTransfer', () => {
            const destination = (req.body as { destination?: { type?: string; addressId?: string } }).destination;
            const amount = this.amountOf(req);
            if (destination?.type !== 'verified_blockchain' || !destination.addressId) {
              throw circleError(400, 2, 'Invalid entity.\ndestination must be a verified_blockchain address');
            }
            const recipient = this.recipients.get(destination.addressId);
            if (!recipient) throw circleError(400, 5002, 'The destination address was not found in the recipient address book.');
            const transfer: Transfer = {
              id: randomUUID(),
              source: { type: 'wallet', id: masterWalletId },
              destination: { type: 'blockchain', address: recipient.address, chain: recipient.chain },
              amount: { amount, currency: 'USD' },
              status: 'pending',
              errorCode: null,
              createDate: now(),
            };
            this.transfers.set(transfer.id, transfer);
            this.sendTransfer(transfer, ctx);
            return { status: 201, body: data({ ...transfer }) };
          }),
        { rejectInside: true },
      ),
    );

    router.get(
      '/v1/businessAccount/transfers/:id',
      on('getTransfer', (req) => {
        const transfer = this.transfers.get(String(req.params.id));
        if (!transfer) throw this.dialect.notFound('transfer');
        return { body: data({ ...transfer }) };
      }),
    );

    router.get(
      '/v1/businessAccount/transfers',
      on('listTransfers', (req) => ({ body: data(newestFirstPage(req, [...this.transfers.values()])) })),
    );

    router.get(
      '/v1/businessAccount/balances',
      on('getBalances', () => ({
        // Sub-cent USDC (a deposit's rest) is held but cannot be paid out in cents: shown truncated.
        body: data({ available: [{ amount: this.availableUsd.toFixed(2, Decimal.ROUND_DOWN), currency: 'USD' }], unsettled: [] }),
      })),
    );

    return router;
  }
}

/** Circle's paging of a list, newest first: `pageSize` (at most 50) items after the id `pageAfter`. */
function newestFirstPage<T extends { id: string }>(req: Request, items: T[]): T[] {
  const newestFirst = [...items].reverse();
  const size = Math.min(Number(queryString(req, 'pageSize') ?? 50) || 50, 50);
  const after = queryString(req, 'pageAfter');
  const start = after ? newestFirst.findIndex((i) => i.id === after) + 1 : 0;
  return newestFirst.slice(start, start + size).map((i) => ({ ...i }));
}

function publicBank(bank: WireBank) {
  const { accountNumber: _hidden, ...rest } = bank;
  return { ...rest };
}
