import { Router } from 'express';
import { z } from 'zod';
import { parseComposition } from '../../domain/basket.js';
import type { AppDeps } from '../app.js';
import { route } from '../route.js';

// The model baskets a user can buy (seeded by `npm run db:seed`): only active ones, with their composition.

export const basketView = z
  .object({
    id: z.guid(),
    name: z.string(),
    description: z.string().nullable(),
    riskLevel: z.enum(['conservative', 'balanced', 'growth']).nullable(),
    composition: z.array(z.object({ symbol: z.string(), weight: z.number().meta({ example: 0.6 }) })),
  })
  .meta({ id: 'Basket' });

export function basketsRouter({ db }: AppDeps): Router {
  const router = Router();

  route(
    router,
    {
      method: 'get',
      path: '/v1/baskets',
      operationId: 'listBaskets',
      tag: 'baskets',
      summary: 'The active baskets with their composition and risk level',
      description:
        'Each active basket with its symbols and weights; a basket order splits its amount by these weights ' + 'into one leg per symbol.',
      responses: { 200: { description: 'Baskets', schema: z.object({ items: z.array(basketView) }) } },
    },
    async (_req, res) => {
      const rows = await db.basket.findMany({ where: { isActive: true }, orderBy: [{ riskLevel: 'asc' }, { name: 'asc' }] });
      res.json({
        items: rows.map((b): z.input<typeof basketView> => ({
          id: b.id,
          name: b.name,
          description: b.description,
          riskLevel: b.riskLevel,
          composition: parseComposition(b.compositionJson).map((c) => ({ symbol: c.symbol, weight: Number(c.weight) })),
        })),
      });
    },
  );

  return router;
}
