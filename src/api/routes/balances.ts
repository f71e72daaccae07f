import { Router } from 'express';
import type { AppDeps } from '../app.js';
import { callerIdOf } from '../auth.js';
import { route } from '../route.js';
import { balanceView, serializeBalance } from '../serializers.js';

export function balancesRouter({ db }: AppDeps): Router {
  const router = Router();

  route(
    router,
    {
      method: 'get',
      path: '/v1/balances',
      operationId: 'getBalances',
      tag: 'balances',
      summary: "The caller's buying power and deposits on their way to the broker",
      description:
        'buyingPowerUsd is what orders and withdrawals can spend (reservations already taken out); ' +
        'pendingBrokerDepositsUsd counts deposits confirmed on chain and not yet at the broker.',
      responses: { 200: { description: 'Balances', schema: balanceView } },
      problems: [404],
    },
    async (req, res) => {
      const balance = await db.balance.findUniqueOrThrow({ where: { userId: callerIdOf(req) } });
      res.json(serializeBalance(balance));
    },
  );

  return router;
}
