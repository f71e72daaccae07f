import { Router } from 'express';
import { z } from 'zod';
import { isValidAddress, toChecksumAddress, withdrawalAddressProblem } from '../../domain/addresses.js';
import { formatUsd, isUsdAmount, parseUsd } from '../../domain/money.js';
import type { Db } from '../../db/client.js';
import { HttpProblem } from '../problem.js';
import { workflowIds } from '../../../workflows/definitions.js';
import { startWithAccept } from '../accept.js';
import type { AppDeps } from '../app.js';
import { callerIdOf, loadCaller } from '../auth.js';
import { confirmIdempotentCommand, idempotentCommand } from '../idempotency.js';
import { assertKycApproved } from '../kyc-gate.js';
import { findOwned } from '../owned.js';
import { pageArgs, toPage } from '../pagination.js';
import { assertNoWithdrawalHold, assertPasscode, passcode } from '../passcode.js';
import { route } from '../route.js';
import { chain, listQuery, usdAmount } from '../schemas.js';
import { pageView, serializeWithdrawal, withdrawalView } from '../serializers.js';

// Withdrawals back to USDC on chain: passcode (with its lockout), no hold from a recent passcode change, approved
// KYC, an amount and an address within the configured limits first; the saga's accept step reserves the amount
// from buying power in the same transaction that writes the row.

/** The request body; the minimum amount and the refused addresses come from configuration. */
function createBody(config: AppDeps['config']) {
  const minimumUsd = parseUsd(config.WITHDRAWAL_MIN_USD);
  const refused = [config.USDC_ADDRESS_ETHEREUM, config.USDC_ADDRESS_SOLANA, ...config.WITHDRAWAL_REFUSED_ADDRESSES].filter(
    (a): a is string => Boolean(a),
  );
  return z
    .strictObject({
      amountUsd: usdAmount.refine((v) => !isUsdAmount(v) || parseUsd(v).gte(minimumUsd), `at least ${formatUsd(minimumUsd)} USD`),
      targetChain: chain,
      targetAddress: z.string().trim().max(255),
      passcode,
    })
    .superRefine((b, ctx) => {
      if (!isValidAddress(b.targetChain, b.targetAddress)) {
        ctx.addIssue({ code: 'custom', path: ['targetAddress'], message: 'not a valid address on the target chain' });
        return;
      }
      const problem = withdrawalAddressProblem(b.targetChain, b.targetAddress, refused);
      if (problem) ctx.addIssue({ code: 'custom', path: ['targetAddress'], message: problem });
    });
}

/** 400 when the target is the deposit address of one of our wallets: the USDC would come back as a deposit. */
async function assertNotOurWallet(db: Db, targetChain: 'ethereum' | 'solana', targetAddress: string): Promise<void> {
  // Ethereum addresses are stored as Circle spells them; compare the spellings that idx_wallets_address can find.
  const spellings =
    targetChain === 'ethereum'
      ? [...new Set([targetAddress, targetAddress.toLowerCase(), toChecksumAddress(targetAddress)])]
      : [targetAddress];
  const ours = await db.wallet.findFirst({ where: { chain: targetChain, address: { in: spellings } }, select: { id: true } });
  if (ours)
    throw HttpProblem.invalid('The target address is one of our own', [
      { path: 'body.targetAddress', message: 'one of our own addresses' },
    ]);
}

export function withdrawalsRouter(deps: AppDeps): Router {
  const { db } = deps;
  const router = Router();

  route(
    router,
    {
      method: 'post',
      path: '/v1/withdrawals',
      operationId: 'createWithdrawal',
      tag: 'withdrawals',
      summary: 'Withdraw USD from buying power to USDC at an address on chain',
      description:
        'Needs the passcode and an approved KYC; the amount is reserved from buying power at once. Honours ' +
        'Idempotency-Key: a repeat with the same key and body answers the same withdrawal and starts nothing. ' +
        'Wrong passcodes back off and then lock the user out (429 with Retry-After); a passcode change holds ' +
        'withdrawals for a day (403). The amount must be at least WITHDRAWAL_MIN_USD and keep the day within ' +
        'WITHDRAWAL_DAILY_LIMIT_USD (422); the zero address, token contracts, Solana programs and off-curve ' +
        'addresses, and our own wallets are refused (400).',
      body: createBody(deps.config),
      responses: { 202: { description: 'Accepted', schema: withdrawalView } },
      problems: [403, 404, 409, 422, 429, 503],
      idempotent: true,
    },
    async (req, res, { body }) => {
      const user = await loadCaller(db, req);
      const { passcode: given, ...command } = body;
      await assertPasscode(db, deps.config, user, given);
      await assertNoWithdrawalHold(db, user.id);
      assertKycApproved(user);
      await assertNotOurWallet(db, command.targetChain, command.targetAddress);
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
      operationId: 'listWithdrawals',
      tag: 'withdrawals',
      summary: "The caller's withdrawals, newest first",
      description:
        "Every withdrawal of the caller with its status (the withdrawal saga's step). Pass nextCursor back as " +
        'cursor for the next page.',
      query: listQuery,
      responses: { 200: { description: 'A page of withdrawals', schema: pageView(withdrawalView) } },
      problems: [404],
    },
    async (req, res, { query }) => {
      const rows = await db.withdrawal.findMany({ where: { userId: callerIdOf(req) }, ...pageArgs(query) });
      res.json(toPage(rows, query, serializeWithdrawal));
    },
  );

  route(
    router,
    {
      method: 'get',
      path: '/v1/withdrawals/:id',
      operationId: 'getWithdrawal',
      tag: 'withdrawals',
      summary: 'One of the caller’s withdrawals: status, refs, txHash, failureReason',
      description: 'A withdrawal of another user, an unknown id and a malformed one are all 404.',
      responses: { 200: { description: 'The withdrawal', schema: withdrawalView } },
    },
    async (req, res, { params }) => {
      const userId = callerIdOf(req);
      const withdrawal = await findOwned('Withdrawal', params.id, (id) => db.withdrawal.findUnique({ where: { id, userId } }));
      res.json(serializeWithdrawal(withdrawal));
    },
  );

  return router;
}
