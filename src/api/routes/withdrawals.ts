import { Router } from 'express';
import { z } from 'zod';
import { isValidAddress } from '../../domain/addresses.js';
import { workflowIds } from '../../../workflows/definitions.js';
import { startWithAccept } from '../accept.js';
import type { AppDeps } from '../app.js';
import { callerOf } from '../auth.js';
import { confirmIdempotentCommand, idempotentCommand } from '../idempotency.js';
import { assertKycApproved } from '../kyc-gate.js';
import { findOwned } from '../owned.js';
import { pageArgs, toPage } from '../pagination.js';
import { assertPasscode, passcode } from '../passcode.js';
import { route } from '../route.js';
import { chain, listQuery, usdAmount } from '../schemas.js';
import { pageView, serializeWithdrawal, withdrawalView } from '../serializers.js';

// Withdrawals back to USDC on chain: passcode, approved KYC and a valid address first; the saga's accept step
// reserves the amount from buying power in the same transaction that writes the row.

const createBody = z
  .strictObject({ amountUsd: usdAmount, targetChain: chain, targetAddress: z.string().trim().max(255), passcode })
  .refine((b) => isValidAddress(b.targetChain, b.targetAddress), {
    path: ['targetAddress'],
    message: 'not a valid address on the target chain',
  });

export function withdrawalsRouter(deps: AppDeps): Router {
  const { db } = deps;
  const router = Router();

  route(
    router,
    {
      method: 'post',
      path: '/v1/withdrawals',
      summary: 'Withdraw USD from buying power to USDC at an address on chain',
      description:
        'Needs the passcode and an approved KYC; the amount is reserved from buying power at once. Honours ' +
        'Idempotency-Key: a repeat with the same key and body answers the same withdrawal and starts nothing.',
      body: createBody,
      responses: { 202: { description: 'Accepted', schema: withdrawalView } },
      problems: [403, 404, 409, 422, 503],
    },
    async (req, res, { body }) => {
      const user = callerOf(req);
      const { passcode: given, ...command } = body;
      await assertPasscode(user, given);
      assertKycApproved(user);
      const plan = await idempotentCommand(db, req, { userId: user.id, resourceType: 'withdrawal', command });
      if (!plan.replay) {
        await startWithAccept(deps, {
          workflowType: 'withdrawalWorkflow',
          workflowId: workflowIds.withdrawal(plan.resourceId),
          input: {
            withdrawalId: plan.resourceId,
            userId: user.id,
            ...command,
            idempotencyKey: plan.idempotencyKey,
            requestHash: plan.requestHash,
          },
        });
        await confirmIdempotentCommand(db, user.id, plan);
      }
      const withdrawal = await db.withdrawal.findUniqueOrThrow({ where: { id: plan.resourceId, userId: user.id } });
      if (plan.replay) res.setHeader('Idempotent-Replayed', 'true');
      res.status(202).location(`/v1/withdrawals/${withdrawal.id}`).json(serializeWithdrawal(withdrawal));
    },
  );

  route(
    router,
    {
      method: 'get',
      path: '/v1/withdrawals',
      summary: "The caller's withdrawals, newest first",
      query: listQuery,
      responses: { 200: { description: 'A page of withdrawals', schema: pageView(withdrawalView) } },
      problems: [404],
    },
    async (req, res, { query }) => {
      const rows = await db.withdrawal.findMany({ where: { userId: callerOf(req).id }, ...pageArgs(query) });
      res.json(toPage(rows, query, serializeWithdrawal));
    },
  );

  route(
    router,
    {
      method: 'get',
      path: '/v1/withdrawals/:id',
      summary: 'One of the caller’s withdrawals: status, refs, txHash, failureReason',
      responses: { 200: { description: 'The withdrawal', schema: withdrawalView } },
    },
    async (req, res, { params }) => {
      const userId = callerOf(req).id;
      const withdrawal = await findOwned('Withdrawal', params.id, (id) =>
        db.withdrawal.findUnique({ where: { id, userId } }),
      );
      res.json(serializeWithdrawal(withdrawal));
    },
  );

  return router;
}
