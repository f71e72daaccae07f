import { legClientOrderId } from '../../src/domain/basket.js';
import { Prisma, type Db } from '../../src/db/client.js';
import { Money } from '../../src/domain/money.js';
import type { OrderStatus } from '../../src/domain/status.js';
import { planOrder, PlanRefused, type OrderPlan } from './plan.js';
import type { OrderAcceptance, OrderRequest } from './types.js';

// The order saga's first step, run by its `accept` update: validate, then in ONE transaction reserve buying power
// (buys) or check the position (sells), insert the order, its legs and the Idempotency-Key. A refusal writes
// nothing. Idempotent by the order id: a repeat (activity retry, a second run for the same id) finds the row.
//
// Sells check the cached position: notional legs need a position whose market value covers the leg, option legs
// enough contracts. Nothing is held back for a sell, so two sells racing for one position are both accepted and
// the broker refuses the one it cannot fill (that order ends failed).

class Refusal extends Error {
  constructor(readonly status: 404 | 409 | 422, readonly title: string, detail: string) {
    super(detail);
  }
}

const refused = (r: Refusal): OrderAcceptance => ({ accepted: false, problem: { status: r.status, title: r.title, detail: r.message } });

async function existingOrder(db: Db, request: OrderRequest): Promise<OrderAcceptance | undefined> {
  const row = await db.order.findUnique({
    where: { id: request.orderId },
    select: { userId: true, status: true, legs: { select: { symbol: true }, orderBy: { createdAt: 'asc' } } },
  });
  if (!row) return undefined;
  if (row.userId !== request.userId) return refused(new Refusal(409, 'Conflict', 'This order id is taken'));
  return { accepted: true, id: request.orderId, status: row.status as OrderStatus, symbols: row.legs.map((l) => l.symbol) };
}

async function plan(db: Db, request: OrderRequest): Promise<OrderPlan> {
  let composition: unknown;
  if (request.assetType === 'basket') {
    const basket = await db.basket.findFirst({ where: { id: request.basketId!, isActive: true }, select: { compositionJson: true } });
    if (!basket) throw new Refusal(422, 'Unknown basket', 'No active basket has this id');
    composition = basket.compositionJson;
  }
  try {
    return planOrder(request, composition);
  } catch (error) {
    if (error instanceof PlanRefused) throw new Refusal(422, error.title, error.message);
    throw error;
  }
}

type Tx = Prisma.TransactionClient;

async function reserveBuyingPower(tx: Tx, userId: string, amountUsd: string): Promise<void> {
  const reserved = await tx.$executeRaw`
    UPDATE balances SET buying_power_usd = buying_power_usd - ${amountUsd}::numeric
    WHERE user_id = ${userId}::uuid AND buying_power_usd >= ${amountUsd}::numeric`;
  if (reserved === 0) {
    throw new Refusal(422, 'Insufficient buying power', `Buying power does not cover ${amountUsd} USD`);
  }
}

async function checkPositions(tx: Tx, request: OrderRequest, orderPlan: OrderPlan): Promise<void> {
  for (const leg of orderPlan.legs) {
    const position = await tx.positionCache.findUnique({
      where: { userId_symbol_assetType: { userId: request.userId, symbol: leg.symbol, assetType: request.assetType } },
      select: { quantity: true, marketValue: true },
    });
    const enough =
      position !== null &&
      position.quantity.gt(0) &&
      (leg.quantity !== undefined
        ? position.quantity.gte(leg.quantity)
        : new Money((position.marketValue ?? 0).toString()).gte(leg.notionalUsd!));
    if (!enough) {
      throw new Refusal(422, 'No position to sell', `No ${request.assetType} position in ${leg.symbol} covers this sell`);
    }
  }
}

export async function acceptOrder(db: Db, request: OrderRequest): Promise<OrderAcceptance> {
  const earlier = await existingOrder(db, request);
  if (earlier) return earlier;

  let orderPlan: OrderPlan;
  try {
    orderPlan = await plan(db, request);
    await db.$transaction(async (tx) => {
      if (request.side === 'buy') await reserveBuyingPower(tx, request.userId, orderPlan.amountUsd);
      else await checkPositions(tx, request, orderPlan);
      await tx.order.create({
        data: {
          id: request.orderId,
          userId: request.userId,
          basketId: request.basketId,
          assetType: request.assetType,
          side: request.side,
          amountUsd: orderPlan.amountUsd,
          optionDetailsJson: request.optionDetails ? { ...request.optionDetails } : undefined,
        },
      });
      await tx.orderLeg.createMany({
        data: orderPlan.legs.map((leg) => ({
          orderId: request.orderId,
          symbol: leg.symbol,
          clientOrderId: legClientOrderId(request.orderId, leg.symbol),
          notionalUsd: leg.notionalUsd,
          quantity: leg.quantity,
        })),
      });
      if (request.idempotencyKey && request.requestHash) {
        await tx.idempotencyKey.create({
          data: {
            userId: request.userId,
            key: request.idempotencyKey,
            requestHash: request.requestHash,
            resourceType: 'order',
            resourceId: request.orderId,
          },
        });
      }
    });
  } catch (error) {
    if (error instanceof Refusal) return refused(error);
    // A concurrent attempt inserted the same order first: answer what it wrote.
    if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2002') {
      const winner = await existingOrder(db, request);
      if (winner) return winner;
    }
    throw error;
  }
  return { accepted: true, id: request.orderId, status: 'pending', symbols: orderPlan.legs.map((l) => l.symbol) };
}
