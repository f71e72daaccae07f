import { WorkflowNotFoundError } from '@temporalio/client';
import { Router } from 'express';
import { z } from 'zod';
import { kycDecisionSignal, workflowIds } from '../../../workflows/definitions.js';
import { startWithAccept } from '../accept.js';
import type { AppDeps } from '../app.js';
import { audited } from '../audit.js';
import { callerIdOf } from '../auth.js';
import { findOwned } from '../owned.js';
import { HttpProblem } from '../problem.js';
import { route } from '../route.js';
import { userView } from '../serializers.js';

// KYC: the user submits (the kyc saga moves them to `pending`); an operator (or, later, the provider's webhook)
// decides by signalling that saga.

const decisionBody = z.strictObject({
  decision: z.enum(['approved', 'rejected']),
  reason: z.string().trim().min(1).max(1000).optional(),
});

const kycStatusView = z.object({ kycStatus: userView.shape.kycStatus });

export function kycRouter(deps: AppDeps): Router {
  const { db, temporal } = deps;
  const router = Router();

  route(
    router,
    {
      method: 'post',
      path: '/v1/me/kyc',
      operationId: 'submitKyc',
      tag: 'me',
      summary: 'Submit the caller for KYC',
      description: 'Starts (or joins) the KYC saga; the decision arrives by the operator route or a provider webhook.',
      responses: { 202: { description: 'Submitted', schema: kycStatusView } },
      problems: [404, 409, 503],
    },
    async (req, res) => {
      const userId = callerIdOf(req);
      await startWithAccept(deps, {
        workflowType: 'kycWorkflow',
        workflowId: workflowIds.kyc(userId),
        input: { userId },
      });
      const { kycStatus } = await db.user.findUniqueOrThrow({ where: { id: userId }, select: { kycStatus: true } });
      res.status(202).json({ kycStatus });
    },
  );

  route(
    router,
    {
      method: 'post',
      path: '/v1/admin/users/:userId/kyc-decision',
      operationId: 'decideKyc',
      tag: 'admin',
      summary: "Operator: decide a user's pending KYC",
      description:
        "Delivers the approval or the rejection (with its reason) to the user's KYC saga; an approval creates " +
        "the user's balance row if it is missing. Recorded in the operator audit log.",
      body: decisionBody,
      responses: {
        202: {
          description: 'Decision delivered to the KYC saga',
          schema: z.object({ userId: z.guid(), decision: decisionBody.shape.decision }),
        },
      },
    },
    async (req, res, { body, params: { userId } }) => {
      await audited(db, req, { action: 'kyc_decision', targetKind: 'user', targetId: userId, details: body }, async () => {
        const user = await findOwned('User', userId, (id) => db.user.findUnique({ where: { id }, select: { kycStatus: true } }));
        const noPendingKyc = new HttpProblem(404, 'This user has no KYC submission waiting for a decision', {
          title: 'No pending KYC',
        });
        if (user.kycStatus !== 'pending') throw noPendingKyc;
        try {
          // The operator rides in the signal so that Temporal's history of the run shows who decided.
          await temporal.workflow.getHandle(workflowIds.kyc(userId)).signal(kycDecisionSignal, { ...body, operator: req.auth?.subject });
        } catch (error) {
          if (error instanceof WorkflowNotFoundError) throw noPendingKyc;
          throw error;
        }
      });
      res.status(202).json({ userId, decision: body.decision });
    },
  );

  return router;
}
