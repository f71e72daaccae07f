import { Router } from 'express';
import { z } from 'zod';
import { workflowIds } from '../../../workflows/definitions.js';
import { startWithAccept } from '../accept.js';
import type { AppDeps } from '../app.js';
import { callerIdOf, loadCaller } from '../auth.js';
import { assertKycApproved } from '../kyc-gate.js';
import { route } from '../route.js';
import { chain } from '../schemas.js';
import { serializeWallet, walletView } from '../serializers.js';

// Deposit wallets at Circle, one per chain and user: provisioned by the wallet saga (`creating` -> `active`).

const createBody = z.strictObject({ chain });

export function walletsRouter(deps: AppDeps): Router {
  const { db } = deps;
  const router = Router();

  route(
    router,
    {
      method: 'post',
      path: '/v1/wallets',
      operationId: 'createWallet',
      tag: 'wallets',
      summary: "Provision the caller's deposit wallet on a chain (KYC approved only)",
      description:
        'Needs an approved KYC (403). Starts the wallet saga of the chain: the wallet is created at Circle and ' +
        'becomes active once Circle reports it live. A chain that already has a wallet answers 200 with it and ' +
        'starts nothing.',
      body: createBody,
      responses: {
        200: { description: 'The wallet already exists', schema: walletView },
        202: { description: 'Provisioning started', schema: walletView },
      },
      problems: [403, 404, 409, 422, 503],
    },
    async (req, res, { body }) => {
      const user = await loadCaller(db, req);
      assertKycApproved(user);
      const existing = await db.wallet.findUnique({ where: { userId_chain: { userId: user.id, chain: body.chain } } });
      if (existing) return void res.status(200).json(serializeWallet(existing));

      const walletId = await startWithAccept(deps, {
        workflowType: 'walletWorkflow',
        workflowId: workflowIds.wallet(user.id, body.chain),
        input: { userId: user.id, chain: body.chain },
      });
      res.status(202).json(serializeWallet(await db.wallet.findUniqueOrThrow({ where: { id: walletId } })));
    },
  );

  route(
    router,
    {
      method: 'get',
      path: '/v1/wallets',
      operationId: 'listWallets',
      tag: 'wallets',
      summary: "The caller's wallets with their deposit addresses",
      description: 'Every wallet of the caller, at most one per chain, with its status and the address to send USDC to.',
      responses: { 200: { description: 'Wallets', schema: z.object({ items: z.array(walletView) }) } },
      problems: [404],
    },
    async (req, res) => {
      const wallets = await db.wallet.findMany({ where: { userId: callerIdOf(req) }, orderBy: { createdAt: 'asc' } });
      res.json({ items: wallets.map(serializeWallet) });
    },
  );

  return router;
}
