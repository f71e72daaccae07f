import { WorkflowNotFoundError } from '@temporalio/client';
import { Router } from 'express';
import { z } from 'zod';
import type { Order, OrderLeg } from '../../generated/prisma/client.js';
import { orderWithLegsOfUser } from '../../db/prepared-reads.js';
import { formatUsd, isUsdAmount, Money, sumUsd } from '../../domain/money.js';
import { optionDetailsProblems, optionPremiumUsd } from '../../domain/options.js';
import { isTerminal, orderTransitions, statusesOf, type OrderStatus } from '../../domain/status.js';
import { cancelOrderSignal, workflowIds } from '../../../workflows/definitions.js';
import { startWithAccept } from '../accept.js';
import type { AppDeps } from '../app.js';
import { callerIdOf, loadCaller } from '../auth.js';
import { confirmIdempotentCommand, idempotentCommand } from '../idempotency.js';
import { assertKycApproved } from '../kyc-gate.js';
import { findOwned } from '../owned.js';
import { pageArgs, toPage } from '../pagination.js';
import { HttpProblem } from '../problem.js';
import { route } from '../route.js';
import { id, listQuery, usdAmount } from '../schemas.js';
import { pageView } from '../serializers.js';

// Orders: a basket (split by weight into one notional order per symbol), a stock or ETF (notional, or a sell of a
// quantity of shares), or an option (whole contracts at a limit price; its amountUsd is the premium quantity x
// limitPrice x 100, derived when omitted). The saga's accept step reserves buying power (buy) or holds the
// quantity to sell out of the position (sell) in the statement that writes the order, so a refused request (422)
// writes nothing.

const statuses = statusesOf(orderTransitions);
const assetTypes = ['basket', 'stock', 'etf', 'option'] as const;

/** Shares, up to Alpaca's 9 decimals. */
const shareQuantity = z
  .string()
  .regex(/^\d{1,18}(\.\d{1,9})?$/, 'a decimal string with at most 9 decimals, e.g. "0.5"')
  .refine((v) => /[1-9]/.test(v), 'must be greater than zero')
  .meta({ description: 'Shares to sell, a decimal string with at most 9 decimals', example: '0.5' });

const optionDetails = z
  .strictObject({ occSymbol: z.string(), quantity: z.number(), limitPrice: z.string() })
  .superRefine((details, ctx) => {
    for (const problem of optionDetailsProblems(details)) ctx.addIssue({ code: 'custom', path: [problem.path], message: problem.message });
  })
  .meta({ description: 'An option contract: OCC symbol without spaces, whole contracts, limit price per share' });

const createBody = z
  .strictObject({
    assetType: z.enum(assetTypes),
    side: z.enum(['buy', 'sell']),
    amountUsd: usdAmount.optional(),
    quantity: shareQuantity.optional(),
    basketId: id.optional(),
    symbol: z
      .string()
      .regex(/^[A-Z][A-Z.]{0,9}$/, 'a ticker symbol in capitals, e.g. "VTI"')
      .optional(),
    optionDetails: optionDetails.optional(),
  })
  .superRefine((body, ctx) => {
    const need = (field: 'amountUsd' | 'basketId' | 'symbol' | 'optionDetails') => {
      if (body[field] === undefined) ctx.addIssue({ code: 'custom', path: [field], message: `required for a ${body.assetType} order` });
    };
    const forbid = (field: 'basketId' | 'symbol' | 'optionDetails' | 'quantity') => {
      if (body[field] !== undefined) ctx.addIssue({ code: 'custom', path: [field], message: `not used by a ${body.assetType} order` });
    };
    if (body.assetType === 'basket') {
      need('basketId');
      need('amountUsd');
      forbid('symbol');
      forbid('optionDetails');
      forbid('quantity');
    } else if (body.assetType === 'option') {
      need('optionDetails');
      forbid('basketId');
      forbid('symbol');
      forbid('quantity');
      const details = body.optionDetails;
      if (details && optionDetailsProblems(details).length === 0) {
        const premium = optionPremiumUsd(details);
        // The premium becomes the order's amount_usd, DECIMAL(18,2): a count of contracts it cannot hold is refused here.
        if (!isUsdAmount(premium)) {
          ctx.addIssue({
            code: 'custom',
            path: ['optionDetails', 'quantity'],
            message: `makes a premium (${premium}) larger than any USD amount`,
          });
        } else if (body.amountUsd !== undefined && isUsdAmount(body.amountUsd) && !new Money(body.amountUsd).eq(premium)) {
          // zod runs this refinement even when amountUsd failed its own checks: only a well-formed amount is compared.
          ctx.addIssue({ code: 'custom', path: ['amountUsd'], message: `must be the premium quantity x limitPrice x 100 = ${premium}` });
        }
      }
    } else {
      need('symbol');
      forbid('basketId');
      forbid('optionDetails');
      if (body.side === 'buy') {
        need('amountUsd');
        forbid('quantity');
      } else if ((body.amountUsd === undefined) === (body.quantity === undefined)) {
        ctx.addIssue({ code: 'custom', path: ['quantity'], message: 'a sell takes amountUsd or quantity, one of them' });
      }
    }
  });

const legView = z.object({
  symbol: z.string(),
  status: z.enum(statuses),
  notionalUsd: z.string().nullable(),
  quantity: z.string().nullable(),
  filledQuantity: z.string(),
  heldQuantity: z.string().meta({ description: 'A sell leg: the quantity taken out of the position at accept (what it may sell)' }),
  filledAmountUsd: z.string(),
  filledAvgPrice: z.string().nullable(),
});

export const orderView = z
  .object({
    id: z.guid(),
    assetType: z.enum(assetTypes),
    side: z.enum(['buy', 'sell']),
    amountUsd: z.string().meta({
      example: '100.00',
      description: 'USD to spend or sell; for options the premium; for a sell given by quantity its value at the price when accepted',
    }),
    status: z.enum(statuses),
    basketId: z.guid().nullable(),
    symbol: z.string().nullable().meta({ description: 'The symbol of a stock, ETF or option order' }),
    optionDetails: z.object({ occSymbol: z.string(), quantity: z.number(), limitPrice: z.string() }).nullable(),
    filledAmountUsd: z.string(),
    legs: z.array(legView),
    failureReason: z.string().nullable(),
    createdAt: z.iso.datetime(),
    updatedAt: z.iso.datetime(),
  })
  .meta({ id: 'Order' });

type OrderRow = Order & { legs: OrderLeg[] };

function serializeOrder(order: OrderRow): z.input<typeof orderView> {
  const legs = [...order.legs].sort((a, b) => a.symbol.localeCompare(b.symbol));
  return {
    id: order.id,
    assetType: order.assetType,
    side: order.side,
    amountUsd: formatUsd(order.amountUsd),
    status: order.status,
    basketId: order.basketId,
    symbol: order.assetType === 'basket' ? null : (legs[0]?.symbol ?? null),
    optionDetails: (order.optionDetailsJson as z.input<typeof orderView>['optionDetails']) ?? null,
    filledAmountUsd: sumUsd(legs.map((l) => l.filledAmountUsd)),
    legs: legs.map((leg) => ({
      symbol: leg.symbol,
      status: leg.status,
      notionalUsd: leg.notionalUsd ? formatUsd(leg.notionalUsd) : null,
      quantity: leg.quantity?.toFixed() ?? null,
      filledQuantity: leg.filledQuantity.toFixed(),
      heldQuantity: leg.heldQuantity.toFixed(),
      filledAmountUsd: formatUsd(leg.filledAmountUsd),
      filledAvgPrice: leg.filledAvgPrice?.toFixed() ?? null,
    })),
    failureReason: order.failureReason,
    createdAt: order.createdAt.toISOString(),
    updatedAt: order.updatedAt.toISOString(),
  };
}

export function ordersRouter(deps: AppDeps): Router {
  const { db } = deps;
  const router = Router();
  const ownOrder = (userId: string, rawId: string) => findOwned('Order', rawId, (orderId) => orderWithLegsOfUser(db, orderId, userId));

  route(
    router,
    {
      method: 'post',
      path: '/v1/orders',
      operationId: 'createOrder',
      tag: 'orders',
      summary: 'Buy or sell a basket, a stock, an ETF or an option',
      description:
        'A buy reserves amountUsd from buying power at once (422 when it does not cover it); a sell, given as amountUsd ' +
        'or (stock, ETF) as a quantity of shares, holds the quantity it may sell out of the position at once (422 when ' +
        "the position does not cover it at the broker's current price). Honours Idempotency-Key: a repeat with the same key and body answers the same " +
        'order and starts nothing; the same key with another body is 409.',
      body: createBody,
      responses: { 202: { description: 'Accepted', schema: orderView } },
      problems: [403, 404, 409, 422, 503],
      idempotent: true,
    },
    async (req, res, { body }) => {
      const userId = callerIdOf(req);
      const plan = await idempotentCommand(db, req, { userId, resourceType: 'order', command: body });
      // A replay starts nothing and answers the order its first request made, whatever the KYC status is now.
      if (!plan.replay) {
        assertKycApproved(await loadCaller(db, req));
        await startWithAccept(deps, {
          workflowType: 'orderWorkflow',
          workflowId: workflowIds.order(plan.resourceId),
          input: {
            orderId: plan.resourceId,
            userId,
            ...body,
            idempotencyKey: plan.idempotencyKey,
            requestHash: plan.requestHash,
          },
        });
        await confirmIdempotentCommand(db, userId, plan);
      }
      const order = await orderWithLegsOfUser(db, plan.resourceId, userId);
      // Accepted (or replayed) above, so the row exists: its absence is a bug, a 500.
      if (!order) throw new Error(`order ${plan.resourceId} was accepted but has no row`);
      if (plan.replay) res.setHeader('Idempotent-Replayed', 'true');
      res.status(202).location(`/v1/orders/${order.id}`).json(serializeOrder(order));
    },
  );

  route(
    router,
    {
      method: 'get',
      path: '/v1/orders',
      operationId: 'listOrders',
      tag: 'orders',
      summary: "The caller's orders, newest first",
      description:
        "Every order of the caller with its status (the order saga's step). Pass nextCursor back as cursor for " + 'the next page.',
      query: listQuery,
      responses: { 200: { description: 'A page of orders', schema: pageView(orderView) } },
      problems: [404],
    },
    async (req, res, { query }) => {
      const rows = await db.order.findMany({ where: { userId: callerIdOf(req) }, include: { legs: true }, ...pageArgs(query) });
      res.json(toPage(rows, query, serializeOrder));
    },
  );

  route(
    router,
    {
      method: 'get',
      path: '/v1/orders/:id',
      operationId: 'getOrder',
      tag: 'orders',
      summary: 'One of the caller’s orders: status, filled amount, per-symbol legs',
      description: 'An order of another user, an unknown id and a malformed one are all 404.',
      responses: { 200: { description: 'The order', schema: orderView } },
    },
    async (req, res, { params }) => {
      res.json(serializeOrder(await ownOrder(callerIdOf(req), params.id)));
    },
  );

  route(
    router,
    {
      method: 'post',
      path: '/v1/orders/:id/cancel',
      operationId: 'cancelOrder',
      tag: 'orders',
      summary: 'Cancel what has not filled yet',
      description:
        'Asks the order saga to cancel the legs still open at the broker; the order ends canceled with the unfilled ' +
        'remainder back in buying power (poll GET /v1/orders/{id}). 409 once the order is filled, failed or canceled.',
      responses: { 202: { description: 'Cancel requested', schema: orderView } },
      problems: [409],
    },
    async (req, res, { params }) => {
      const userId = callerIdOf(req);
      const order = await ownOrder(userId, params.id);
      const notCancelable = (status: OrderStatus) =>
        new HttpProblem(409, `The order is already ${status}`, { title: 'Order not cancelable' });
      if (isTerminal(orderTransitions, order.status)) throw notCancelable(order.status);
      try {
        await deps.temporal.workflow.getHandle(workflowIds.order(order.id)).signal(cancelOrderSignal);
      } catch (error) {
        // The run finished between our read and the signal: the order is terminal now.
        if (!(error instanceof WorkflowNotFoundError)) throw error;
        const now = await ownOrder(userId, order.id);
        throw notCancelable(now.status);
      }
      res.status(202).location(`/v1/orders/${order.id}`).json(serializeOrder(order));
    },
  );

  return router;
}
