import { isValidTxHash, normalizedTxHash } from '../../domain/addresses.js';
import { Router } from 'express';
import { z } from 'zod';
import { workflowIds } from '../../../workflows/definitions.js';
import { startWithAccept } from '../accept.js';
import type { AppDeps } from '../app.js';
import type { Db } from '../../db/client.js';
import { depositByTransaction, depositOfUser, hasReceivingWallet } from '../../db/prepared-reads.js';
import type { User } from '../../generated/prisma/client.js';
import type { Chain } from '../../providers/ports.js';
import { callerIdOf, loadCaller } from '../auth.js';
import { assertKycApproved } from '../kyc-gate.js';
import { findOwned } from '../owned.js';
import { pageArgs, toPage } from '../pagination.js';
import { HttpProblem } from '../problem.js';
import { route } from '../route.js';
import { chain, listQuery } from '../schemas.js';
import { depositView, pageView, serializeDeposit } from '../serializers.js';

// Deposits: the app reports a USDC transfer the user sent to their wallet (Circle's webhook may report it
// first); either way one deposit saga per chain + tx hash. Whoever reports a hash, the saga decides from
// Circle's data and our wallets whose deposit it is; anyone else is told it does not exist (404).

const reportBody = z
  .strictObject({ chain, txHash: z.string().trim().min(1).max(255) })
  .refine((b) => isValidTxHash(b.chain, b.txHash), {
    path: ['txHash'],
    message: 'not a transaction hash of this chain (0x + 64 hex for ethereum, a base58 signature for solana)',
  })
  .transform((b) => ({ ...b, txHash: normalizedTxHash(b.chain, b.txHash) }));

/**
 * A report costs a saga run and Circle lookups: only a verified user who has a wallet on the chain can have
 * received a deposit there, so anyone else is refused before anything starts.
 */
async function assertCanReportDeposit(db: Db, user: User, reportedChain: Chain): Promise<void> {
  assertKycApproved(user);
  // A wallet still being created has no address yet, so nothing can have reached it.
  if (!(await hasReceivingWallet(db, user.id, reportedChain)))
    throw new HttpProblem(404, `The caller has no ${reportedChain} wallet to receive a deposit`, { title: 'No wallet on this chain' });
}

export function depositsRouter(deps: AppDeps): Router {
  const { db } = deps;
  const router = Router();

  route(
    router,
    {
      method: 'post',
      path: '/v1/deposits',
      operationId: 'reportDeposit',
      tag: 'deposits',
      summary: 'Report a USDC transfer the caller sent to their wallet',
      description:
        'Starts (or finds) the deposit saga; the same chain and txHash always answer the same deposit. Only a user ' +
        'with an approved KYC (403 otherwise) and a wallet on that chain (404 otherwise) may start one.',
      body: reportBody,
      responses: {
        200: { description: 'Already known', schema: depositView },
        202: { description: 'Accepted', schema: depositView },
      },
      problems: [403, 404, 422, 503],
    },
    async (req, res, { body }) => {
      const user = await loadCaller(db, req);
      const known = await depositByTransaction(db, body.chain, body.txHash);
      if (known && known.userId !== user.id) throw HttpProblem.notFound('Deposit');
      if (known) return void res.status(200).json(serializeDeposit(known));
      await assertCanReportDeposit(db, user, body.chain);

      const depositId = await startWithAccept(deps, {
        workflowType: 'depositWorkflow',
        workflowId: workflowIds.deposit(body.chain, body.txHash),
        input: { chain: body.chain, txHash: body.txHash, reportedBy: `user:${user.id}` },
      });
      const deposit = await depositOfUser(db, depositId, user.id);
      // The transaction's deposit is another user's (their wallet received it): not the caller's to see.
      if (!deposit) throw HttpProblem.notFound('Deposit');
      res.status(202).location(`/v1/deposits/${deposit.id}`).json(serializeDeposit(deposit));
    },
  );

  route(
    router,
    {
      method: 'get',
      path: '/v1/deposits',
      operationId: 'listDeposits',
      tag: 'deposits',
      summary: "The caller's deposits, newest first",
      description:
        "Every deposit of the caller with its status (the deposit saga's step). Pass nextCursor back as cursor " + 'for the next page.',
      query: listQuery,
      responses: { 200: { description: 'A page of deposits', schema: pageView(depositView) } },
      problems: [404],
    },
    async (req, res, { query }) => {
      const rows = await db.deposit.findMany({ where: { userId: callerIdOf(req) }, ...pageArgs(query) });
      res.json(toPage(rows, query, serializeDeposit));
    },
  );

  route(
    router,
    {
      method: 'get',
      path: '/v1/deposits/:id',
      operationId: 'getDeposit',
      tag: 'deposits',
      summary: 'One of the caller’s deposits: status, amounts, step timestamps, failureReason',
      description: 'A deposit of another user, an unknown id and a malformed one are all 404.',
      responses: { 200: { description: 'The deposit', schema: depositView } },
    },
    async (req, res, { params }) => {
      const userId = callerIdOf(req);
      const deposit = await findOwned('Deposit', params.id, (id) => depositOfUser(db, id, userId));
      res.json(serializeDeposit(deposit));
    },
  );

  return router;
}
