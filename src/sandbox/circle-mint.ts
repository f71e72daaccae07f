import { createHash, randomUUID } from 'node:crypto';
import { Router, type Request } from 'express';
import { Decimal } from 'decimal.js';
import { circleDialect, circleError, data, isUuid } from './circle-common.js';
import { endpoint, idempotent, queryString, type HandlerContext, type Reply } from './http.js';
import type { SandboxState } from './state.js';

// Circle Mint (the business account): wire bank accounts, payouts of USD to a bank (the off-ramp), incoming
// wires shown as deposits (the on-ramp; Circle's sandbox simulates the wire with POST /v1/mocks/payments/wire)
// and balances. Payouts and deposits are `pending` and settle a few steps later, `complete` or `failed`.

const provider = 'circle-mint' as const;
const masterWalletId = '1000216185';
const initialAvailableUsd = '10000000.00';
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

const usdAmount = /^\d+(\.\d{1,2})?$/;

export class CircleMintSim {
  private banks = new Map<string, WireBank>();
  private payouts = new Map<string, Payout>();
  private deposits = new Map<string, Deposit>();
  private availableUsd = new Decimal(initialAvailableUsd);
  readonly dialect;

  constructor(private readonly state: SandboxState) {
    this.dialect = circleDialect(provider, state.settings.credentials.circleApiKey);
    state.onReset(() => {
      this.banks.clear();
      this.payouts.clear();
      this.deposits.clear();
      this.availableUsd = new Decimal(initialAvailableUsd);
    });
  }

  private keyed(req: Request, operation: string, apply: () => Reply): Reply {
    const body = req.body as Record<string, unknown> | undefined;
    const key = body?.idempotencyKey;
    if (!isUuid(key)) throw circleError(400, 2, 'Invalid entity.\nidempotencyKey must be a UUID');
    return idempotent(this.state, { provider, operation }, key, body, () => circleError(409, 1, 'The idempotency key was already used with a different request.'), apply);
  }

  private amountOf(req: Request): string {
    const amount = (req.body as { amount?: { amount?: unknown; currency?: unknown } }).amount;
    if (typeof amount?.amount !== 'string' || !usdAmount.test(amount.amount) || new Decimal(amount.amount).lte(0) || amount.currency !== 'USD') {
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
    this.state.scheduleSteps([
      () => {
        payout.updateDate = now();
        payout.status = errorCode ? 'failed' : 'complete';
        payout.errorCode = errorCode;
        if (!errorCode) payout.trackingRef = `CIR${payout.id.slice(0, 7).toUpperCase()}`;
      },
    ], this.state.settings.stepDelayMs * 2);
  }

  router(): Router {
    const router = Router();
    const on = (op: string, fn: Parameters<typeof endpoint>[3], options?: Parameters<typeof endpoint>[4]) =>
      endpoint(this.state, this.dialect, op, fn, options);

    router.post('/v1/businessAccount/banks/wires', on('createWireBank', (req) =>
      this.keyed(req, 'createWireBank', () => {
        const body = req.body as { accountNumber?: string; routingNumber?: string; iban?: string; billingDetails?: unknown; bankAddress?: unknown };
        if (!body.accountNumber && !body.iban) throw circleError(400, 2, 'Invalid entity.\naccountNumber may not be null');
        if (!body.billingDetails || !body.bankAddress) throw circleError(400, 2, 'Invalid entity.\nbillingDetails and bankAddress are required');
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
    ));

    router.get('/v1/businessAccount/banks/wires', on('listWireBanks', () => ({ body: data([...this.banks.values()].map(publicBank)) })));

    router.get('/v1/businessAccount/banks/wires/:id', on('getWireBank', (req) => {
      const bank = this.banks.get(String(req.params.id));
      if (!bank) throw this.dialect.notFound('wire bank account');
      return { body: data(publicBank(bank)) };
    }));

    router.get('/v1/businessAccount/banks/wires/:id/instructions', on('getWireInstructions', (req) => {
      const bank = this.banks.get(String(req.params.id));
      if (!bank) throw this.dialect.notFound('wire bank account');
      return { body: data(this.instructionsFor(bank)) };
    }));

    router.post('/v1/businessAccount/payouts', on('createPayout', (req, ctx) =>
      this.keyed(req, 'createPayout', () => {
        const destination = (req.body as { destination?: { type?: string; id?: string } }).destination;
        const amount = this.amountOf(req);
        if (destination?.type !== 'wire' || !destination.id) throw circleError(400, 2, 'Invalid entity.\ndestination must be a wire bank account');
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
    { rejectInside: true }));

    router.get('/v1/businessAccount/payouts/:id', on('getPayout', (req) => {
      const payout = this.payouts.get(String(req.params.id));
      if (!payout) throw this.dialect.notFound('payout');
      return { body: data({ ...payout }) };
    }));

    router.get('/v1/businessAccount/payouts', on('listPayouts', () => ({ body: data([...this.payouts.values()].reverse().map((p) => ({ ...p }))) })));

    // Circle's sandbox-only simulation of a wire arriving from a bank. It takes no idempotency key at Circle;
    // this sandbox honours one when sent, and names the resulting deposit by it (see the Mint adapter).
    router.post('/v1/mocks/payments/wire', on('createMockWire', (req, ctx) => {
      const body = req.body as { trackingRef?: string; idempotencyKey?: string; beneficiaryBank?: { accountNumber?: string } };
      const amount = this.amountOf(req);
      const bank = [...this.banks.values()].find((b) => b.trackingRef === body.trackingRef);
      if (!bank) throw circleError(400, 2, 'Invalid entity.\ntrackingRef does not match a wire bank account');
      if (body.beneficiaryBank?.accountNumber !== bank.accountNumber) throw circleError(400, 2, 'Invalid entity.\nbeneficiaryBank.accountNumber does not match the wire instructions');
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
        const failed = ctx.reject;
        this.state.scheduleSteps([
          () => {
            deposit.updateDate = now();
            deposit.status = failed ? 'failed' : 'complete';
            if (!failed) this.availableUsd = this.availableUsd.plus(amount);
          },
        ], this.state.settings.stepDelayMs * 2);
        return { status: 201, body: data({ trackingRef: bank.trackingRef, amount: { amount, currency: 'USD' }, beneficiaryBank: { accountNumber: bank.accountNumber }, status: 'pending' }) };
      };
      if (!isUuid(body.idempotencyKey)) return apply(randomUUID());
      const key = body.idempotencyKey;
      return idempotent(this.state, { provider, operation: 'createMockWire' }, key, body, () => circleError(409, 1, 'The idempotency key was already used with a different request.'), () => apply(key));
    }, { rejectInside: true }));

    router.get('/v1/businessAccount/deposits', on('listDeposits', (req) => {
      const deposits = [...this.deposits.values()].reverse();
      const size = Math.min(Number(queryString(req, 'pageSize') ?? 50) || 50, 50);
      const after = queryString(req, 'pageAfter');
      const start = after ? deposits.findIndex((d) => d.id === after) + 1 : 0;
      return { body: data(deposits.slice(start, start + size).map((d) => ({ ...d }))) };
    }));

    router.get('/v1/businessAccount/balances', on('getBalances', () => ({
      body: data({ available: [{ amount: this.availableUsd.toFixed(2), currency: 'USD' }], unsettled: [] }),
    })));

    return router;
  }
}

function publicBank(bank: WireBank) {
  const { accountNumber: _hidden, ...rest } = bank;
  return { ...rest };
}
