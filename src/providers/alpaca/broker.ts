import { Alpaca, errors, type trading } from '@alpacahq/alpaca-trade-api';
import type { Config } from '../../config.js';
import type { Logger } from '../../logger.js';
import { ProviderError } from '../errors.js';
import { idempotencyUuid } from '../idempotency.js';
import type { BrokerOrder, BrokerOrderStatus, BrokerPort, BrokerPosition, BrokerTransfer } from '../ports.js';
import { BrokerApi } from './broker-api.js';
import { isAmbiguous, toAlpacaError } from './errors.js';

// Alpaca behind BrokerPort: orders, account and positions over the official Trading SDK (v4), funding over the
// Broker API (cash journals between the firm account and the omnibus account) with our small client.
//
// The SDK retries GETs itself (429/5xx/network, with backoff and Retry-After) and never retries the order POST.
// An order POST that fails ambiguously (timeout, 5xx, connection lost) may still have placed the order, so
// placeOrder looks it up by client_order_id before it reports the failure; a later attempt that Alpaca refuses
// as a duplicate client_order_id is reconciled the same way.

type Order = trading.Order;

function toPosition(p: trading.Position): BrokerPosition {
  return { symbol: p.symbol, qty: p.qty, avgEntryPrice: p.avgEntryPrice, marketValue: p.marketValue, currentPrice: p.currentPrice };
}

function toOrder(order: Order): BrokerOrder {
  return {
    id: order.id ?? '',
    clientOrderId: order.clientOrderId ?? '',
    symbol: order.symbol ?? '',
    side: order.side === 'sell' ? 'sell' : 'buy',
    status: order.status as BrokerOrderStatus,
    notional: order.notional ?? undefined,
    qty: order.qty ?? undefined,
    filledQty: order.filledQty ?? '0',
    filledAvgPrice: order.filledAvgPrice ?? undefined,
    limitPrice: order.limitPrice ?? undefined,
  };
}

interface Journal {
  id: string;
  status: string;
  net_amount: string;
  description?: string;
  from_account?: string;
  to_account?: string;
}

const failedJournal = new Set(['rejected', 'canceled', 'refused', 'deleted', 'returned']);

function toTransfer(journal: Journal): BrokerTransfer {
  const status = journal.status === 'executed' ? 'complete' : failedJournal.has(journal.status) ? 'failed' : 'pending';
  return {
    id: journal.id,
    status,
    amountUsd: journal.net_amount,
    reason: status === 'failed' ? `journal ${journal.status}` : undefined,
  };
}

/** Points the SDK at another origin (the sandbox) while it keeps its own retry, rate limit and timeout. */
function rewriteOrigin(baseUrl: string): (url: string, init: RequestInit) => Promise<Response> {
  const base = new URL(baseUrl);
  const prefix = base.pathname.replace(/\/$/, '');
  return (url, init) => {
    const original = new URL(url);
    const target = new URL(base.origin);
    target.pathname = `${prefix}${original.pathname}`;
    target.search = original.search;
    return fetch(target, init);
  };
}

export function createAlpacaBroker(config: Config, logger?: Logger): BrokerPort {
  const alpaca = new Alpaca({
    keyId: config.ALPACA_KEY_ID,
    secret: config.ALPACA_SECRET_KEY,
    paper: config.ALPACA_PAPER,
    timeoutMs: config.PROVIDER_TIMEOUT_MS,
    rateLimit: { maxRequests: config.ALPACA_RATE_LIMIT_PER_MINUTE, intervalMs: 60_000 },
    fetchApi: config.ALPACA_TRADING_BASE_URL ? rewriteOrigin(config.ALPACA_TRADING_BASE_URL) : undefined,
  });
  const brokerApi = new BrokerApi({
    baseUrl: config.ALPACA_BROKER_BASE_URL,
    key: config.ALPACA_BROKER_KEY,
    secret: config.ALPACA_BROKER_SECRET,
    timeoutMs: config.PROVIDER_TIMEOUT_MS,
  });

  async function call<T>(operation: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (error) {
      const failure = toAlpacaError(error, operation);
      logger?.warn(
        { provider: 'alpaca', operation, kind: failure.kind, status: failure.details.status, code: failure.details.code },
        'provider call failed',
      );
      throw failure;
    }
  }

  async function findOrderByClientId(clientOrderId: string): Promise<BrokerOrder | undefined> {
    try {
      return toOrder(await alpaca.trading.orders.getOrderByClientOrderId({ clientOrderId }));
    } catch (error) {
      if (error instanceof errors.NotFoundError) return undefined;
      throw toAlpacaError(error, 'getOrderByClientOrderId');
    }
  }

  let omnibus: Promise<string> | undefined;
  function omnibusAccountId(): Promise<string> {
    if (config.ALPACA_ACCOUNT_ID) return Promise.resolve(config.ALPACA_ACCOUNT_ID);
    omnibus ??= call('getAccount', async () => (await alpaca.trading.account.getAccount()).id).catch((error: unknown) => {
      omnibus = undefined;
      throw error;
    });
    return omnibus;
  }

  async function journal(operation: 'fund' | 'withdraw', amountUsd: string, idempotencyKey: string): Promise<BrokerTransfer> {
    const account = await omnibusAccountId();
    const firm = config.ALPACA_FIRM_ACCOUNT_ID;
    const body = {
      entry_type: 'JNLC',
      from_account: operation === 'fund' ? firm : account,
      to_account: operation === 'fund' ? account : firm,
      amount: amountUsd,
      description: operation === 'fund' ? 'fundflow deposit' : 'fundflow withdrawal',
    };
    return call(operation, async () => toTransfer(await brokerApi.post<Journal>('/v1/journals', body, idempotencyUuid(idempotencyKey))));
  }

  return {
    async getAccount() {
      const account = await call('getAccount', () => alpaca.trading.account.getAccount());
      return { id: account.id, status: String(account.status), cashUsd: account.cash ?? '0', buyingPowerUsd: account.buyingPower ?? '0' };
    },

    fund: ({ amountUsd, idempotencyKey }) => journal('fund', amountUsd, idempotencyKey),
    withdraw: ({ amountUsd, idempotencyKey }) => journal('withdraw', amountUsd, idempotencyKey),

    getTransfer: (id) =>
      call('getTransfer', async () => toTransfer(await brokerApi.get<Journal>(`/v1/journals/${encodeURIComponent(id)}`))),

    async placeOrder(input) {
      const request: trading.PostOrderRequest = {
        symbol: input.symbol,
        side: input.side,
        type: input.type,
        timeInForce: 'day',
        clientOrderId: input.clientOrderId,
        qty: input.qty,
        notional: input.notional,
        limitPrice: input.limitPrice,
      };
      try {
        return toOrder(await alpaca.trading.orders.postOrder({ postOrderRequest: request }));
      } catch (error) {
        const failure = toAlpacaError(error, 'placeOrder');
        const duplicate = failure.kind === 'invalid_request' && /client_order_id/i.test(failure.message);
        if (isAmbiguous(failure) || duplicate) {
          const existing = await findOrderByClientId(input.clientOrderId).catch((lookup: unknown) => {
            // A duplicate means the order exists: that it cannot be read now is no refusal of it, and must not
            // read as one (the caller would take the order for never placed).
            if (duplicate)
              throw new ProviderError(
                'alpaca',
                'unavailable',
                `${failure.message}; the existing order could not be read`,
                failure.details,
                { cause: lookup },
              );
            return undefined;
          });
          if (existing) {
            logger?.info({ clientOrderId: input.clientOrderId, kind: failure.kind }, 'order placement reconciled by client order id');
            return existing;
          }
        }
        logger?.warn(
          { provider: 'alpaca', operation: 'placeOrder', kind: failure.kind, status: failure.details.status, code: failure.details.code },
          'provider call failed',
        );
        throw failure;
      }
    },

    findOrderByClientId,

    getOrder: (id) => call('getOrder', async () => toOrder(await alpaca.trading.orders.getOrderByOrderID({ orderId: id }))),

    cancelOrder: (id) => call('cancelOrder', () => alpaca.trading.orders.deleteOrderByOrderID({ orderId: id })),

    async listPositions(): Promise<BrokerPosition[]> {
      const positions = await call('listPositions', () => alpaca.trading.positions.getAllOpenPositions());
      return positions.map(toPosition);
    },

    getPosition: (symbol) =>
      call('getPosition', async () => {
        try {
          return toPosition(await alpaca.trading.positions.getOpenPosition({ symbolOrAssetId: symbol }));
        } catch (error) {
          // Alpaca answers 404 for a symbol the account holds none of: an answer, not a failure.
          if (error instanceof errors.NotFoundError) return undefined;
          throw error;
        }
      }),

    firmCashUsd: () =>
      call('getFirmAccount', async () => {
        const firm = encodeURIComponent(config.ALPACA_FIRM_ACCOUNT_ID);
        return (await brokerApi.get<{ cash: string }>(`/v1/trading/accounts/${firm}/account`)).cash;
      }),

    async listTransfers() {
      const [account, journals] = await Promise.all([
        omnibusAccountId(),
        call('listJournals', () => brokerApi.get<Journal[]>('/v1/journals?entry_type=JNLC')),
      ]);
      const firm = config.ALPACA_FIRM_ACCOUNT_ID;
      return journals.flatMap((j): (BrokerTransfer & { direction: 'fund' | 'withdraw' })[] => {
        if (j.from_account === firm && j.to_account === account) return [{ ...toTransfer(j), direction: 'fund' as const }];
        if (j.from_account === account && j.to_account === firm) return [{ ...toTransfer(j), direction: 'withdraw' as const }];
        return [];
      });
    },

    async listOrders() {
      // Oldest first, paged by the last order id seen (Alpaca's after_order_id).
      const orders: BrokerOrder[] = [];
      for (let afterOrderId: string | undefined; ;) {
        const page = await call('listOrders', () =>
          alpaca.trading.orders.getAllOrders({ status: 'all', limit: 500, direction: 'asc', nested: false, afterOrderId }),
        );
        orders.push(...page.map(toOrder));
        if (page.length < 500) return orders;
        afterOrderId = page.at(-1)!.id;
      }
    },
  };
}
