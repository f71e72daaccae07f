import { legClientOrderId } from '../../src/domain/basket.js';
import { Prisma, type Db } from '../../src/db/client.js';
import type { OrderStatus } from '../../src/domain/status.js';
import type { BrokerPort } from '../../src/providers/ports.js';
import { acceptedEntry } from './ledger.js';
import { planOrder, PlanRefused, sellAmountUsd, sellHolds, type OrderPlan, type SellHold } from './plan.js';
import type { OrderAcceptance, OrderRequest } from './types.js';
import { refusal, type RefusalCode } from '../../src/domain/refusals.js';

// The order saga's first step, run by its `accept` update: validate, then in ONE statement reserve buying power
// (buys) or hold the quantity to sell (sells), insert the order, its legs and the Idempotency-Key. A refusal
// writes nothing. Idempotent by the order id: a repeat (activity retry, a second run for the same id) finds the
// row, and the orders primary key stops a concurrent twin (its statement fails whole, hold included).
//
// A sell takes what it may sell out of positions_cache into its legs' held_quantity (plan.ts, sellHolds), under
// a row lock on the positions it draws on, so two sells racing for one position cannot both pass: the second
// sees what the first left. The omnibus brokerage account holds every user's shares, so the broker would
// happily sell someone else's; this hold is what stops it. A notional sell is priced at the broker's current
// price, never at the cached market value.

export interface AcceptDeps {
  db: Db;
  broker: BrokerPort;
  sellHoldMarginPercent: number;
}

/** Thrown inside the accept transaction to undo it and answer the refusal. */
class Refused extends Error {
  constructor(
    readonly code: RefusalCode,
    detail: string,
  ) {
    super(detail);
  }
}

const refused = (r: Refused): OrderAcceptance => ({ accepted: false, refusal: refusal(r.code, r.message) });
const noPosition = (detail: string) => new Refused('no_position', detail);

async function existingOrder(db: Db, request: OrderRequest): Promise<OrderAcceptance | undefined> {
  const row = await db.order.findUnique({
    where: { id: request.orderId },
    select: { userId: true, status: true, legs: { select: { symbol: true }, orderBy: { createdAt: 'asc' } } },
  });
  if (!row) return undefined;
  if (row.userId !== request.userId) return refused(new Refused('id_taken', 'This order id is taken'));
  return { accepted: true, id: request.orderId, status: row.status as OrderStatus, symbols: row.legs.map((l) => l.symbol) };
}

async function plan(db: Db, request: OrderRequest): Promise<OrderPlan> {
  let composition: unknown;
  if (request.assetType === 'basket') {
    const basket = await db.basket.findFirst({ where: { id: request.basketId!, isActive: true }, select: { compositionJson: true } });
    if (!basket) throw new Refused('unknown_basket', 'No active basket has this id');
    composition = basket.compositionJson;
  }
  try {
    return planOrder(request, composition);
  } catch (error) {
    if (error instanceof PlanRefused) throw new Refused('amount_too_small', error.message);
    throw error;
  }
}

/** The broker's current price of each symbol, from its position in the omnibus account (none held: nothing to sell). */
async function currentPrices(broker: BrokerPort, symbols: readonly string[]): Promise<Record<string, string>> {
  const positions = await Promise.all(symbols.map((symbol) => broker.getPosition(symbol)));
  const missing = symbols.filter((_, i) => !positions[i]);
  if (missing.length > 0) throw noPosition(`The brokerage account holds no ${missing.join(', ')}`);
  return Object.fromEntries(symbols.map((symbol, i) => [symbol, positions[i]!.currentPrice]));
}

/**
 * Buys: reserve the amount, only if buying power covers it. Sells: lock the positions the legs draw on, and take
 * every leg's hold out of them only if each one covers its leg (a quantity leg its quantity, a notional leg its
 * amount at the broker's price). Both produce `gate` (one row: go on) and `holds` (what each leg holds).
 */
function gate(request: OrderRequest, amountUsd: string, legCount: number): Prisma.Sql {
  const { orderId, userId } = request;
  const absent = Prisma.sql`NOT EXISTS (SELECT 1 FROM orders WHERE id = ${orderId}::uuid)`;
  if (request.side === 'buy') {
    const amount = Prisma.sql`${amountUsd}::numeric`;
    return Prisma.sql`
      holds AS (SELECT NULL::text AS symbol, NULL::numeric AS held WHERE false),
      gate AS (
        UPDATE balances SET buying_power_usd = buying_power_usd - ${amount}
        WHERE user_id = ${userId}::uuid AND buying_power_usd >= ${amount} AND ${absent}
        RETURNING user_id
      )`;
  }
  const own = Prisma.sql`p.user_id = ${userId}::uuid AND p.asset_type = ${request.assetType}::asset_type`;
  // FOR UPDATE re-reads a row another sell changed meanwhile, so the check below sees what that sell left. A
  // position is worth its value to the cent: what a $100 buy bought (qty truncated to 9 decimals) sells for $100.
  return Prisma.sql`
    locked AS MATERIALIZED (
      SELECT p.symbol, p.quantity, p.market_value FROM positions_cache p
      WHERE ${own} AND p.symbol IN (SELECT symbol FROM legs) AND ${absent}
      ORDER BY p.symbol
      FOR UPDATE
    ),
    holds AS (
      SELECT l.symbol, LEAST(k.quantity, l.wanted) AS held,
             COALESCE(l.price_usd, k.market_value / NULLIF(k.quantity, 0)) AS unit_value
      FROM legs l JOIN locked k ON k.symbol = l.symbol
      WHERE k.quantity > 0
        AND CASE WHEN l.cover_usd IS NULL THEN k.quantity >= l.wanted ELSE ROUND(k.quantity * l.price_usd, 2) >= l.cover_usd END
    ),
    taken AS (
      UPDATE positions_cache p SET
        quantity = p.quantity - h.held,
        market_value = ROUND((p.quantity - h.held) * h.unit_value, 2),
        last_updated_at = now()
      FROM holds h
      WHERE ${own} AND p.symbol = h.symbol AND (SELECT count(*) FROM holds) = ${legCount}::int
      RETURNING p.symbol
    ),
    gate AS (SELECT ${userId}::uuid AS user_id WHERE (SELECT count(*) FROM taken) = ${legCount}::int)`;
}

function legsTable(orderId: string, orderPlan: OrderPlan, holds: readonly SellHold[] | undefined): Prisma.Sql {
  const { legs } = orderPlan;
  const hold = (symbol: string) => holds?.find((h) => h.symbol === symbol);
  return Prisma.sql`SELECT * FROM unnest(
    ${legs.map((l) => l.symbol)}::text[],
    ${legs.map((l) => legClientOrderId(orderId, l.symbol))}::text[],
    ${legs.map((l) => l.notionalUsd ?? null)}::text[]::numeric[],
    ${legs.map((l) => l.quantity ?? null)}::text[]::numeric[],
    ${legs.map((l) => hold(l.symbol)?.wantedQuantity ?? null)}::text[]::numeric[],
    ${legs.map((l) => hold(l.symbol)?.coverUsd ?? null)}::text[]::numeric[],
    ${legs.map((l) => hold(l.symbol)?.priceUsd ?? null)}::text[]::numeric[]
  ) AS l(symbol, client_order_id, notional_usd, quantity, wanted, cover_usd, price_usd)`;
}

export async function acceptOrder(deps: AcceptDeps, request: OrderRequest): Promise<OrderAcceptance> {
  const { db } = deps;
  const earlier = await existingOrder(db, request);
  if (earlier) return earlier;

  let orderPlan: OrderPlan;
  let holds: SellHold[] | undefined;
  let amountUsd: string;
  try {
    orderPlan = await plan(db, request);
    if (request.side === 'sell') {
      // Options are held by whole contracts and need no price; everything else is priced at the broker now.
      const prices =
        request.assetType === 'option'
          ? {}
          : await currentPrices(
              deps.broker,
              orderPlan.legs.map((l) => l.symbol),
            );
      holds = sellHolds(orderPlan.legs, prices, deps.sellHoldMarginPercent);
    }
    const first = orderPlan.legs[0]!;
    amountUsd = orderPlan.amountUsd ?? sellAmountUsd(first.quantity!, holds![0]!.priceUsd!);
  } catch (error) {
    if (error instanceof Refused) return refused(error);
    throw error;
  }
  const { orderId, userId } = request;
  const optionDetails = request.optionDetails ? JSON.stringify(request.optionDetails) : null;
  // One statement: the gate (reservation or hold), the order, its legs, its ledger entry and the Idempotency-Key.
  const [row] = await db.$queryRaw<{ inserted: number; existing: string | null }[]>`
    WITH legs AS (${legsTable(orderId, orderPlan, holds)}),
    ${gate(request, amountUsd, orderPlan.legs.length)},
    ins AS (
      INSERT INTO orders (id, user_id, basket_id, asset_type, option_details_json, side, amount_usd)
      SELECT ${orderId}::uuid, user_id, ${request.basketId ?? null}::uuid, ${request.assetType}::asset_type,
             ${optionDetails}::jsonb, ${request.side}::order_side, ${amountUsd}::numeric
      FROM gate RETURNING id, user_id
    )${acceptedEntry(orderId, request.side, request.assetType, amountUsd)},
    leg_rows AS (
      INSERT INTO order_legs (order_id, symbol, client_order_id, notional_usd, quantity, held_quantity)
      SELECT ins.id, l.symbol, l.client_order_id, l.notional_usd, l.quantity, COALESCE(h.held, 0)
      FROM ins CROSS JOIN legs l LEFT JOIN holds h ON h.symbol = l.symbol
      RETURNING 1
    ),
    key AS (
      INSERT INTO idempotency_keys (user_id, key, request_hash, resource_type, resource_id)
      SELECT ${userId}::uuid, ${request.idempotencyKey ?? null}, ${request.requestHash ?? ''}, 'order', id
      FROM ins WHERE ${request.idempotencyKey ?? null}::text IS NOT NULL
      ON CONFLICT (user_id, key) DO NOTHING
      RETURNING 1
    )
    SELECT (SELECT count(*) FROM ins)::int AS inserted,
           (SELECT status::text FROM orders WHERE id = ${orderId}::uuid) AS existing`;
  if (!row || row.inserted === 0) {
    // Not inserted: another attempt wrote it first (answer what it wrote), or the gate refused.
    if (row?.existing) return (await existingOrder(db, request))!;
    return refused(
      request.side === 'buy'
        ? new Refused('insufficient_funds', `Buying power does not cover ${amountUsd} USD`)
        : noPosition(
            `Your ${request.assetType} position does not cover this sell` +
              (request.assetType === 'option' || request.quantity !== undefined
                ? ''
                : ` of ${amountUsd} USD at the broker's current price`) +
              ' (what other open sells hold is not available)',
          ),
    );
  }
  return { accepted: true, id: request.orderId, status: 'pending', symbols: orderPlan.legs.map((l) => l.symbol) };
}
