import { randomUUID } from 'node:crypto';
import { Router, type Request } from 'express';
import { Decimal } from 'decimal.js';
import { type AlpacaLedger, alpacaError, defaultPrice, occSymbol, tradingDialect } from './alpaca-common.js';
import { stableUuid } from './chain.js';
import { endpoint, queryString, type Reply } from './http.js';
import type { SandboxState } from './state.js';

// Alpaca's Trading API for the one omnibus account: account, orders (validated as Alpaca does, filled later at
// the configured prices, optionally in part), cancel, positions. Bodies are snake_case with money and
// quantities as strings, as Alpaca sends them.
//
// A cancel is a request, as at Alpaca: DELETE answers 204 and the order sits in `pending_cancel`, where it can
// still fill (`fillOnCancelRatio` of the open rest, one step later), and is `canceled` one step after that.
// Cancelling an order that is terminal or already pending_cancel answers 422.

interface Order {
  id: string;
  client_order_id: string;
  created_at: string;
  updated_at: string;
  submitted_at: string;
  filled_at: string | null;
  expired_at: null;
  canceled_at: string | null;
  failed_at: string | null;
  replaced_at: null;
  replaced_by: null;
  replaces: null;
  asset_id: string;
  symbol: string;
  asset_class: 'us_equity' | 'us_option';
  notional: string | null;
  qty: string | null;
  filled_qty: string;
  filled_avg_price: string | null;
  order_class: '';
  order_type: string;
  type: string;
  side: 'buy' | 'sell';
  position_intent: string;
  time_in_force: string;
  limit_price: string | null;
  stop_price: null;
  status: string;
  extended_hours: boolean;
  legs: null;
  trail_percent: null;
  trail_price: null;
  hwm: null;
  expires_at: string;
}

const now = () => new Date().toISOString();

/**
 * When Alpaca would expire the order (a string on every order, per its description): a gtc order 90 days on,
 * any other at the close of its session (16:00 New York, taken as 21:00 UTC: the sandbox keeps no calendar).
 */
function expiresAt(timeInForce: string, createdAt: string): string {
  const created = new Date(createdAt);
  if (timeInForce === 'gtc') return new Date(created.getTime() + 90 * 86_400_000).toISOString();
  const close = new Date(Date.UTC(created.getUTCFullYear(), created.getUTCMonth(), created.getUTCDate(), 21));
  if (close <= created) close.setUTCDate(close.getUTCDate() + 1);
  return close.toISOString();
}

const terminal = new Set(['filled', 'canceled', 'expired', 'rejected', 'done_for_day', 'replaced']);
const decimalString = /^\d+(\.\d+)?$/;

export class AlpacaTradingSim {
  private orders = new Map<string, Order>();
  /** Each order's whole quantity, fixed at its first fill (a notional order's at that fill's price). */
  private fullQtys = new Map<string, Decimal>();
  readonly dialect;

  constructor(
    private readonly state: SandboxState,
    private readonly ledger: AlpacaLedger,
  ) {
    const { alpacaKeyId, alpacaSecretKey } = state.settings.credentials;
    this.dialect = tradingDialect(alpacaKeyId, alpacaSecretKey);
    state.onReset(() => {
      this.orders.clear();
      this.fullQtys.clear();
    });
    ledger.buyHolds = () => this.openBuyHolds();
  }

  /** The cash a buy may still spend: its notional (or qty at its limit / the current price) less what filled. */
  private holdOf(order: Order): Decimal {
    if (order.side !== 'buy' || terminal.has(order.status)) return new Decimal(0);
    const mult = this.multiplier(order.symbol);
    if (order.notional) {
      const spent = new Decimal(order.filled_qty).times(order.filled_avg_price ?? 0).times(mult);
      return Decimal.max(0, new Decimal(order.notional).minus(spent));
    }
    const price = order.limit_price ? new Decimal(order.limit_price) : this.priceOf(order.symbol);
    return new Decimal(order.qty!).minus(order.filled_qty).times(price).times(mult);
  }

  private openBuyHolds(): Decimal {
    let held = new Decimal(0);
    for (const order of this.orders.values()) held = held.plus(this.holdOf(order));
    return held;
  }

  priceOf(symbol: string): Decimal {
    return new Decimal(this.state.fills.prices[symbol] ?? defaultPrice(symbol));
  }

  private multiplier(symbol: string): number {
    return occSymbol.test(symbol) ? 100 : 1;
  }

  private validate(body: Record<string, unknown>): Order {
    const invalid = (message: string) => alpacaError(422, 40010001, message);
    const symbol = typeof body.symbol === 'string' ? body.symbol.toUpperCase() : '';
    if (!symbol) throw invalid('symbol is required');
    const side = body.side;
    if (side !== 'buy' && side !== 'sell') throw invalid('side must be buy or sell');
    const type = body.type;
    if (type !== 'market' && type !== 'limit') throw invalid(`order type ${String(type)} is not supported`);
    const tif = body.time_in_force;
    if (typeof tif !== 'string' || !['day', 'gtc', 'opg', 'cls', 'ioc', 'fok'].includes(tif)) throw invalid('invalid time_in_force');
    const qty = body.qty === undefined || body.qty === null ? undefined : String(body.qty);
    const notional = body.notional === undefined || body.notional === null ? undefined : String(body.notional);
    if ((qty === undefined) === (notional === undefined)) throw invalid('qty or notional is required, not both');
    for (const v of [qty, notional])
      if (v !== undefined && (!decimalString.test(v) || new Decimal(v).lte(0))) throw invalid('qty and notional must be positive numbers');
    if (notional !== undefined && (type !== 'market' || tif !== 'day'))
      throw invalid('notional orders only work with market orders and day time in force');
    const limitPrice = body.limit_price === undefined || body.limit_price === null ? undefined : String(body.limit_price);
    if (type === 'limit' && (limitPrice === undefined || !decimalString.test(limitPrice)))
      throw invalid('limit_price is required for limit orders');
    const option = occSymbol.test(symbol);
    if (option) {
      if (notional !== undefined) throw invalid('notional orders are not supported for options');
      if (!new Decimal(qty!).isInteger()) throw invalid('qty must be a whole number for options');
      if (tif !== 'day') throw invalid('options orders only support day time in force');
    } else if (!/^[A-Z.]{1,10}$/.test(symbol)) {
      throw invalid(`asset "${symbol}" not found`);
    }
    const clientOrderId = typeof body.client_order_id === 'string' && body.client_order_id !== '' ? body.client_order_id : randomUUID();
    if (clientOrderId.length > 128) throw invalid('client_order_id must be at most 128 characters');
    const at = now();
    return {
      id: randomUUID(),
      client_order_id: clientOrderId,
      created_at: at,
      updated_at: at,
      submitted_at: at,
      filled_at: null,
      expired_at: null,
      canceled_at: null,
      failed_at: null,
      replaced_at: null,
      replaced_by: null,
      replaces: null,
      asset_id: stableUuid(`asset:${symbol}`),
      symbol,
      asset_class: option ? 'us_option' : 'us_equity',
      notional: notional ?? null,
      qty: qty ?? null,
      filled_qty: '0',
      filled_avg_price: null,
      order_class: '',
      order_type: type,
      type,
      side,
      position_intent: side === 'buy' ? 'buy_to_open' : 'sell_to_close',
      time_in_force: tif,
      limit_price: limitPrice ?? null,
      stop_price: null,
      status: 'new',
      extended_hours: body.extended_hours === true,
      legs: null,
      trail_percent: null,
      trail_price: null,
      hwm: null,
      expires_at: expiresAt(tif, at),
    };
  }

  /**
   * Alpaca checks buying power (buys) and available quantity (sells) when it accepts an order. Buying power is
   * the account's cash less what its open buys hold: a cash account never buys beyond its cash.
   */
  private checkFunds(order: Order): void {
    if (order.side === 'buy') {
      const buyingPower = this.ledger.balanceOf(this.ledger.accountId)!;
      if (this.holdOf(order).gt(buyingPower)) throw alpacaError(403, 40310000, 'insufficient buying power');
      return;
    }
    // A notional sell would sell its notional at the current price, in the 9 decimals it fills in.
    const wanted = order.qty
      ? new Decimal(order.qty)
      : new Decimal(order.notional!).div(this.priceOf(order.symbol)).toDecimalPlaces(9, Decimal.ROUND_DOWN);
    const available = this.ledger.positions.get(order.symbol)?.qty ?? new Decimal(0);
    if (wanted.gt(available)) {
      throw alpacaError(
        403,
        40310000,
        `insufficient qty available for order (requested: ${wanted.toFixed()}, available: ${available.toFixed()})`,
      );
    }
  }

  /** The whole quantity of the order: its qty, or for a notional order its notional at the price of its first fill. */
  private fullQty(order: Order, price: Decimal): Decimal {
    let full = this.fullQtys.get(order.id);
    if (!full) {
      full = order.qty ? new Decimal(order.qty) : new Decimal(order.notional!).div(price).toDecimalPlaces(9, Decimal.ROUND_DOWN);
      this.fullQtys.set(order.id, full);
    }
    return full;
  }

  /** Executes `qty` more of the order at `price`: cash and position move, filled_qty and the average price follow. */
  private execute(order: Order, qty: Decimal, price: Decimal): void {
    const mult = this.multiplier(order.symbol);
    const amount = qty.times(price).times(mult);
    const position = this.ledger.positions.get(order.symbol) ?? { qty: new Decimal(0), costBasis: new Decimal(0) };
    if (order.side === 'buy') {
      this.ledger.cash = this.ledger.cash.minus(amount);
      position.qty = position.qty.plus(qty);
      position.costBasis = position.costBasis.plus(amount);
    } else {
      const avg = position.qty.isZero() ? price : position.costBasis.div(position.qty);
      this.ledger.cash = this.ledger.cash.plus(amount);
      position.costBasis = position.costBasis.minus(avg.times(qty).times(mult));
      position.qty = position.qty.minus(qty);
    }
    if (position.qty.isZero()) this.ledger.positions.delete(order.symbol);
    else this.ledger.positions.set(order.symbol, position);

    const before = new Decimal(order.filled_qty);
    const filled = before.plus(qty);
    const average = before.isZero()
      ? price
      : before.times(order.filled_avg_price!).plus(qty.times(price)).div(filled).toDecimalPlaces(6, Decimal.ROUND_HALF_UP);
    const full = this.fullQty(order, price);
    const at = now();
    Object.assign(order, {
      filled_qty: filled.toFixed(),
      filled_avg_price: average.decimalPlaces() <= 2 ? average.toFixed(2) : average.toFixed(),
      filled_at: filled.gte(full) ? at : null,
      updated_at: at,
    });
    // An order being canceled stays pending_cancel until it is canceled, unless this fill completed it.
    if (filled.gte(full)) order.status = 'filled';
    else if (order.status !== 'pending_cancel') order.status = 'partially_filled';
  }

  /** Fills the order until `share(whole quantity, filled so far)` of it has filled (nothing when it got that far). */
  private fillUpTo(order: Order, share: (full: Decimal, filled: Decimal) => Decimal): void {
    const price = this.priceOf(order.symbol);
    if (order.limit_price && (order.side === 'buy' ? price.gt(order.limit_price) : price.lt(order.limit_price))) return;
    const filled = new Decimal(order.filled_qty);
    let target = share(this.fullQty(order, price), filled).toDecimalPlaces(9, Decimal.ROUND_DOWN);
    if (this.multiplier(order.symbol) > 1) target = target.floor();
    if (target.gt(filled)) this.execute(order, target.minus(filled), price);
  }

  private fill(order: Order): void {
    if (terminal.has(order.status)) return;
    if (this.state.fills.rejectSymbols.includes(order.symbol)) {
      const at = now();
      Object.assign(order, { status: 'rejected', failed_at: at, updated_at: at });
      return;
    }
    this.fillUpTo(order, (full) => full.times(this.state.fills.partialFillRatio));
  }

  /** The asynchronous end of a cancel request: maybe a last fill of the open rest, then canceled, a step apart. */
  private scheduleCancel(order: Order): void {
    const lastFill = () => {
      if (order.status !== 'pending_cancel') return;
      const ratio = this.state.fills.fillOnCancelRatio ?? 0;
      if (ratio > 0) this.fillUpTo(order, (full, filled) => filled.plus(full.minus(filled).times(ratio)));
    };
    const canceled = () => {
      if (order.status !== 'pending_cancel') return;
      const at = now();
      Object.assign(order, { status: 'canceled', canceled_at: at, updated_at: at });
    };
    this.state.scheduleSteps([lastFill, canceled], this.state.fills.cancelDelayMs ?? this.state.settings.stepDelayMs);
  }

  private positionOf(symbol: string) {
    const p = this.ledger.positions.get(symbol)!;
    const price = this.priceOf(symbol);
    const mult = this.multiplier(symbol);
    const marketValue = p.qty.times(price).times(mult);
    return {
      asset_id: stableUuid(`asset:${symbol}`),
      symbol,
      exchange: occSymbol.test(symbol) ? '' : 'NASDAQ',
      asset_class: occSymbol.test(symbol) ? 'us_option' : 'us_equity',
      asset_marginable: false,
      avg_entry_price: p.costBasis.div(p.qty).div(mult).toFixed(4),
      qty: p.qty.toFixed(),
      qty_available: p.qty.toFixed(),
      side: 'long',
      market_value: marketValue.toFixed(2),
      cost_basis: p.costBasis.toFixed(2),
      unrealized_pl: marketValue.minus(p.costBasis).toFixed(2),
      unrealized_plpc: '0',
      unrealized_intraday_pl: '0',
      unrealized_intraday_plpc: '0',
      current_price: price.toFixed(2),
      lastday_price: price.toFixed(2),
      change_today: '0',
    };
  }

  private found(order: Order | undefined): Reply {
    if (!order) throw alpacaError(404, 40410000, 'order not found');
    return { body: { ...order } };
  }

  router(): Router {
    const router = Router();
    const on = (op: string, fn: Parameters<typeof endpoint>[3], options?: Parameters<typeof endpoint>[4]) =>
      endpoint(this.state, this.dialect, op, fn, options);

    router.get(
      '/v2/account',
      on('getAccount', () => {
        let longValue = new Decimal(0);
        for (const [symbol, p] of this.ledger.positions)
          longValue = longValue.plus(p.qty.times(this.priceOf(symbol)).times(this.multiplier(symbol)));
        const cash = this.ledger.cash.toFixed(2);
        const buyingPower = this.ledger.balanceOf(this.ledger.accountId)!.toFixed(2);
        const equity = this.ledger.cash.plus(longValue).toFixed(2);
        return {
          body: {
            id: this.ledger.accountId,
            account_number: this.ledger.accountNumber,
            status: 'ACTIVE',
            crypto_status: 'ACTIVE',
            currency: 'USD',
            cash,
            buying_power: buyingPower,
            regt_buying_power: buyingPower,
            daytrading_buying_power: '0',
            non_marginable_buying_power: buyingPower,
            options_buying_power: buyingPower,
            effective_buying_power: buyingPower,
            equity,
            last_equity: equity,
            long_market_value: longValue.toFixed(2),
            short_market_value: '0',
            portfolio_value: equity,
            initial_margin: '0',
            maintenance_margin: '0',
            last_maintenance_margin: '0',
            sma: '0',
            multiplier: '1',
            pattern_day_trader: false,
            trading_blocked: false,
            transfers_blocked: false,
            account_blocked: false,
            trade_suspended_by_user: false,
            shorting_enabled: false,
            daytrade_count: 0,
            options_approved_level: 2,
            options_trading_level: 2,
            accrued_fees: '0',
            pending_transfer_in: '0',
            created_at: '2024-01-02T15:00:00Z',
          },
        };
      }),
    );

    router.post(
      '/v2/orders',
      on('createOrder', (req: Request) => {
        const order = this.validate((req.body ?? {}) as Record<string, unknown>);
        // Alpaca has no replay for orders: a second order with the same client_order_id is refused.
        if ([...this.orders.values()].some((o) => o.client_order_id === order.client_order_id)) {
          this.state.recordEffect('alpaca', 'createOrder', order.client_order_id, false);
          throw alpacaError(422, 40010001, 'client_order_id must be unique');
        }
        this.checkFunds(order);
        this.orders.set(order.id, order);
        this.state.recordEffect('alpaca', 'createOrder', order.client_order_id, true);
        this.state.schedule(() => this.fill(order), this.state.fills.fillDelayMs ?? this.state.settings.stepDelayMs);
        return { body: { ...order } };
      }),
    );

    router.get(
      /^\/v2\/orders:by_client_order_id$/,
      on('getOrderByClientOrderId', (req) => {
        const clientOrderId = queryString(req, 'client_order_id');
        return this.found([...this.orders.values()].find((o) => o.client_order_id === clientOrderId));
      }),
    );

    router.get(
      '/v2/orders',
      on('listOrders', (req) => {
        const status = queryString(req, 'status') ?? 'open';
        const symbols = queryString(req, 'symbols')?.split(',');
        const limit = Math.min(Number(queryString(req, 'limit') ?? 50) || 50, 500);
        // Alpaca pages by order id: after_order_id / before_order_id, in `direction` (desc by default).
        const all = [...this.orders.values()];
        const after = all.findIndex((o) => o.id === queryString(req, 'after_order_id'));
        const before = all.findIndex((o) => o.id === queryString(req, 'before_order_id'));
        const ranged = all.slice(after + 1, before === -1 ? undefined : before);
        const listed = ranged
          .filter((o) => status === 'all' || (status === 'open') !== terminal.has(o.status))
          .filter((o) => !symbols || symbols.includes(o.symbol));
        const orders = (queryString(req, 'direction') === 'asc' ? listed : listed.reverse()).slice(0, limit);
        return { body: orders.map((o) => ({ ...o })) };
      }),
    );

    router.get(
      '/v2/orders/:id',
      on('getOrder', (req) => this.found(this.orders.get(String(req.params.id)))),
    );

    router.delete(
      '/v2/orders/:id',
      on('cancelOrder', (req) => {
        const order = this.orders.get(String(req.params.id));
        if (!order) throw alpacaError(404, 40410000, 'order not found');
        if (terminal.has(order.status) || order.status === 'pending_cancel') {
          throw alpacaError(422, 42210000, `order is already in "${order.status}" state`);
        }
        Object.assign(order, { status: 'pending_cancel', updated_at: now() });
        this.scheduleCancel(order);
        return { status: 204, body: undefined };
      }),
    );

    router.get(
      '/v2/positions',
      on('listPositions', () => ({
        body: [...this.ledger.positions.keys()].map((symbol) => this.positionOf(symbol)),
      })),
    );

    router.get(
      '/v2/positions/:symbol',
      on('getPosition', (req) => {
        const symbol = String(req.params.symbol).toUpperCase();
        if (!this.ledger.positions.has(symbol)) throw alpacaError(404, 40410000, 'position does not exist');
        return { body: this.positionOf(symbol) };
      }),
    );

    return router;
  }
}
