import { randomUUID } from 'node:crypto';
import { Router, type Request } from 'express';
import { Decimal } from 'decimal.js';
import { type AlpacaLedger, alpacaError, brokerDialect } from './alpaca-common.js';
import { endpoint, idempotent, queryString, type HandlerContext, type Reply } from './http.js';
import type { SandboxState } from './state.js';

// Alpaca's Broker API, the funding part: cash journals (JNLC) between the firm account and the omnibus trading
// account (queued → sent_to_clearing → executed) and bank transfers (QUEUED → … → COMPLETE). Both honour the
// Idempotency-Key header: the same key and body answer the original, another body with that key is 422. Money
// leaves only what an account has: the firm account's cash, the trading account's cash less its open buys.

interface Journal {
  id: string;
  entry_type: 'JNLC';
  from_account: string;
  to_account: string;
  symbol: null;
  qty: null;
  price: null;
  status: string;
  settle_date: string;
  system_date: string;
  net_amount: string;
  description: string;
  currency: 'USD';
  created_at: string;
}

interface Transfer {
  id: string;
  relationship_id: string | null;
  account_id: string;
  type: 'ach' | 'wire';
  status: string;
  reason: string | null;
  amount: string;
  direction: 'INCOMING' | 'OUTGOING';
  created_at: string;
  updated_at: string;
  expires_at: string;
}

const usdAmount = /^\d+(\.\d{1,2})?$/;
const now = () => new Date().toISOString();
const today = () => now().slice(0, 10);

export class AlpacaBrokerSim {
  private journals = new Map<string, Journal>();
  private transfers = new Map<string, Transfer>();
  readonly dialect;

  constructor(
    private readonly state: SandboxState,
    private readonly ledger: AlpacaLedger,
  ) {
    const { alpacaBrokerKey, alpacaBrokerSecret } = state.settings.credentials;
    this.dialect = brokerDialect(alpacaBrokerKey, alpacaBrokerSecret);
    state.onReset(() => {
      this.journals.clear();
      this.transfers.clear();
    });
  }

  private keyed(req: Request, ctx: HandlerContext, operation: string, apply: () => Reply): Reply {
    const key = req.get('idempotency-key');
    if (!key) {
      if (ctx.rejection) throw ctx.rejection;
      return apply();
    }
    return idempotent(
      this.state,
      { provider: 'alpaca-broker', operation },
      key,
      { path: req.path, body: req.body as unknown },
      () => alpacaError(422, 42210000, 'Idempotency-Key was already used with a different request'),
      apply,
      ctx,
    );
  }

  private account() {
    return {
      id: this.ledger.accountId,
      account_number: this.ledger.accountNumber,
      status: 'ACTIVE',
      crypto_status: 'ACTIVE',
      currency: 'USD',
      last_equity: this.ledger.cash.toFixed(2),
      created_at: '2024-01-02T15:00:00Z',
      account_type: 'trading',
      enabled_assets: ['us_equity', 'us_option'],
    };
  }

  router(): Router {
    const router = Router();
    const on = (op: string, fn: Parameters<typeof endpoint>[3], options?: Parameters<typeof endpoint>[4]) =>
      endpoint(this.state, this.dialect, op, fn, options);

    router.get(
      '/v1/accounts',
      on('listAccounts', () => ({ body: [this.account()] })),
    );

    router.get(
      '/v1/accounts/:id',
      on('getBrokerAccount', (req) => {
        if (req.params.id !== this.ledger.accountId) throw alpacaError(404, 40410000, 'account not found');
        return { body: this.account() };
      }),
    );

    router.post(
      '/v1/journals',
      on(
        'createJournal',
        (req, ctx) =>
          this.keyed(req, ctx, 'createJournal', () => {
            const body = (req.body ?? {}) as {
              entry_type?: string;
              from_account?: string;
              to_account?: string;
              amount?: unknown;
              description?: string;
            };
            if (body.entry_type !== 'JNLC') throw alpacaError(422, 40010001, 'entry_type must be JNLC for cash journals');
            const amount = body.amount === undefined ? '' : String(body.amount);
            if (!usdAmount.test(amount) || new Decimal(amount).lte(0))
              throw alpacaError(422, 40010001, 'amount must be a positive USD amount');
            const from = body.from_account ?? '';
            const to = body.to_account ?? '';
            const fromBalance = this.ledger.balanceOf(from);
            if (fromBalance === undefined || this.ledger.balanceOf(to) === undefined) throw alpacaError(404, 40410000, 'account not found');
            if (from === to) throw alpacaError(422, 40010001, 'from_account and to_account must differ');
            if (fromBalance.lt(amount)) throw alpacaError(403, 40310000, 'insufficient balance for journal');
            const at = now();
            const journal: Journal = {
              id: randomUUID(),
              entry_type: 'JNLC',
              from_account: from,
              to_account: to,
              symbol: null,
              qty: null,
              price: null,
              status: 'queued',
              settle_date: today(),
              system_date: today(),
              net_amount: new Decimal(amount).toFixed(2),
              description: body.description ?? '',
              currency: 'USD',
              created_at: at,
            };
            // The money leaves the source at once, so two journals cannot spend the same balance.
            this.ledger.move(from, '', new Decimal(amount));
            this.journals.set(journal.id, journal);
            this.state.scheduleSteps([
              () => (journal.status = 'sent_to_clearing'),
              () => {
                journal.status = 'executed';
                this.ledger.move('', to, new Decimal(amount));
              },
            ]);
            return { body: { ...journal } };
          }),
        { rejection: () => alpacaError(403, 40310000, 'insufficient balance for journal'), keyed: true },
      ),
    );

    // Read by the reconciliation: every journal (newest first), optionally of one entry type / account.
    router.get(
      '/v1/journals',
      on('listJournals', (req) => {
        const entryType = queryString(req, 'entry_type');
        const account = (name: string) => queryString(req, name);
        const journals = [...this.journals.values()].filter(
          (j) =>
            (!entryType || j.entry_type === entryType) &&
            (!account('from_account') || j.from_account === account('from_account')) &&
            (!account('to_account') || j.to_account === account('to_account')),
        );
        return { body: journals.reverse().map((j) => ({ ...j })) };
      }),
    );

    // The Broker API's view of an account's trading side: what its cash is (the firm account's too).
    router.get(
      '/v1/trading/accounts/:id/account',
      on('getTradingAccount', (req) => {
        const id = String(req.params.id);
        const cash = this.ledger.balanceOf(id);
        if (cash === undefined) throw alpacaError(404, 40410000, 'account not found');
        const value = (id === this.ledger.accountId ? this.ledger.cash : cash).toFixed(2);
        // The fields Alpaca's description requires of a TradeAccount; equity counts cash only (positions are the
        // Trading API's to value), buying power is what the account can spend now.
        return {
          body: {
            id,
            account_number: id === this.ledger.accountId ? this.ledger.accountNumber : 'FIRM',
            status: 'ACTIVE',
            currency: 'USD',
            created_at: '2024-01-02T15:00:00Z',
            cash: value,
            cash_withdrawable: value,
            buying_power: cash.toFixed(2),
            equity: value,
            last_equity: value,
          },
        };
      }),
    );

    router.get(
      '/v1/journals/:id',
      on('getJournal', (req) => {
        const journal = this.journals.get(String(req.params.id));
        if (!journal) throw alpacaError(404, 40410000, 'journal not found');
        return { body: { ...journal } };
      }),
    );

    router.post(
      '/v1/accounts/:id/transfers',
      on(
        'createTransfer',
        (req, ctx) =>
          this.keyed(req, ctx, 'createTransfer', () => {
            if (req.params.id !== this.ledger.accountId) throw alpacaError(404, 40410000, 'account not found');
            const body = (req.body ?? {}) as { transfer_type?: string; amount?: unknown; direction?: string; relationship_id?: string };
            const amount = body.amount === undefined ? '' : String(body.amount);
            if (!usdAmount.test(amount) || new Decimal(amount).lte(0))
              throw alpacaError(422, 40010001, 'amount must be a positive USD amount');
            if (body.transfer_type !== 'ach' && body.transfer_type !== 'wire')
              throw alpacaError(422, 40010001, 'transfer_type must be ach or wire');
            if (body.direction !== 'INCOMING' && body.direction !== 'OUTGOING')
              throw alpacaError(422, 40010001, 'direction must be INCOMING or OUTGOING');
            if (body.direction === 'OUTGOING' && this.ledger.balanceOf(this.ledger.accountId)!.lt(amount))
              throw alpacaError(403, 40310000, 'insufficient funds for transfer');
            const at = now();
            const transfer: Transfer = {
              id: randomUUID(),
              relationship_id: body.relationship_id ?? null,
              account_id: this.ledger.accountId,
              type: body.transfer_type,
              status: 'QUEUED',
              reason: null,
              amount: new Decimal(amount).toFixed(2),
              direction: body.direction,
              created_at: at,
              updated_at: at,
              expires_at: new Date(Date.now() + 7 * 86_400_000).toISOString(),
            };
            this.transfers.set(transfer.id, transfer);
            const step = (status: string) => () => Object.assign(transfer, { status, updated_at: now() });
            this.state.scheduleSteps([
              step('APPROVAL_PENDING'),
              step('PENDING'),
              step('SENT_TO_CLEARING'),
              () => {
                step('COMPLETE')();
                const value = new Decimal(amount);
                this.ledger.cash = transfer.direction === 'INCOMING' ? this.ledger.cash.plus(value) : this.ledger.cash.minus(value);
              },
            ]);
            return { body: { ...transfer } };
          }),
        { keyed: true },
      ),
    );

    router.get(
      '/v1/accounts/:id/transfers',
      on('listTransfers', (req) => ({
        body: [...this.transfers.values()]
          .filter((t) => t.account_id === req.params.id)
          .reverse()
          .map((t) => ({ ...t })),
      })),
    );

    return router;
  }
}
