import { Router } from 'express';
import { z } from 'zod';
import { formatUsd } from '../../domain/money.js';
import type { AppDeps } from '../app.js';
import { callerIdOf } from '../auth.js';
import { route } from '../route.js';

// The caller's holdings as the order saga booked them (positions_cache): quantity, average fill price and the value
// at the latest fill price. Positions sold down to zero are left out.

export const positionView = z
  .object({
    symbol: z.string(),
    assetType: z.enum(['basket', 'stock', 'etf', 'option']),
    quantity: z.string().meta({ example: '0.486026731', description: 'Shares, or contracts for options' }),
    averagePrice: z.string().nullable().meta({ description: 'USD per share' }),
    marketValueUsd: z.string().nullable().meta({ example: '60.00', description: 'At the latest fill price' }),
    lastUpdatedAt: z.iso.datetime(),
  })
  .meta({ id: 'Position' });

export function positionsRouter({ db }: AppDeps): Router {
  const router = Router();

  route(
    router,
    {
      method: 'get',
      path: '/v1/positions',
      operationId: 'listPositions',
      tag: 'positions',
      summary: "The caller's positions",
      description:
        'Per symbol: the quantity held, the average price and the value at the latest fill price, as the order ' +
        'saga updates them on each fill.',
      responses: { 200: { description: 'Positions', schema: z.object({ items: z.array(positionView) }) } },
      problems: [404],
    },
    async (req, res) => {
      const rows = await db.positionCache.findMany({
        where: { userId: callerIdOf(req), quantity: { gt: 0 } },
        orderBy: [{ assetType: 'asc' }, { symbol: 'asc' }],
      });
      res.json({
        items: rows.map((p): z.input<typeof positionView> => ({
          symbol: p.symbol,
          assetType: p.assetType,
          quantity: p.quantity.toFixed(),
          averagePrice: p.averagePrice?.toFixed() ?? null,
          marketValueUsd: p.marketValue ? formatUsd(p.marketValue) : null,
          lastUpdatedAt: p.lastUpdatedAt.toISOString(),
        })),
      });
    },
  );

  return router;
}
