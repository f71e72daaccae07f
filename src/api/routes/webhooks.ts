import { WorkflowNotFoundError } from '@temporalio/client';
import express, { Router } from 'express';
import { z } from 'zod';
import { walletReachedBy } from '../../db/wallets.js';
import { depositTransitions, isTerminal } from '../../domain/status.js';
import { depositTransferUpdate, workflowIds } from '../../../workflows/definitions.js';
import { startWithoutWaiting } from '../accept.js';
import type { AppDeps } from '../app.js';
import { circleWebhookVerifier } from '../../providers/circle/webhook.js';
import { circleBlockchainChains, toTransfer } from '../../providers/circle/wallets.js';
import type { ChainTransfer } from '../../providers/ports.js';
import { documentRoute } from '../openapi.js';
import { HttpProblem } from '../problem.js';
import { parse } from '../validate.js';

// Circle's notifications (Programmable Wallets, v2). No bearer token: the ECDSA signature over the raw body is
// the authentication, so nothing is parsed, logged as trusted or started before it verifies. An inbound
// transfer to one of our wallets starts that transaction's deposit saga, or signals the running one; the saga's
// workflow id is the chain + tx hash, so a redelivered or later notification for the transfer starts nothing new.

export type WebhookVerifier = (input: {
  rawBody: Buffer;
  signature: string | undefined;
  keyId: string | undefined;
}) => Promise<boolean>;

const notificationBody = z.object({
  notificationId: z.string().min(1),
  notificationType: z.string(),
  notification: z.looseObject({}),
});

const inboundTransaction = z.looseObject({
  id: z.string(),
  state: z.string(),
  blockchain: z.string().refine((b) => b in circleBlockchainChains),
  transactionType: z.literal('INBOUND'),
  walletId: z.string(),
  amounts: z.array(z.string()).min(1),
  // Before the chain has a hash Circle has nothing to key a deposit on; a later notification carries it.
  txHash: z.string().min(1),
  sourceAddress: z.string().optional(),
  destinationAddress: z.string(),
  errorReason: z.string().nullish(),
});

/** The inbound transfer a notification reports, in the WalletsPort's words; undefined for anything else. */
function inboundTransferOf(event: z.output<typeof notificationBody>): (ChainTransfer & { txHash: string }) | undefined {
  if (event.notificationType !== 'transactions.inbound') return undefined;
  const parsed = inboundTransaction.safeParse(event.notification);
  if (!parsed.success) return undefined;
  const tx = parsed.data;
  const transfer = toTransfer(tx);
  // Hex is case-insensitive; deposits key on the lower-case hash (as POST /v1/deposits stores it).
  return { ...transfer, txHash: transfer.chain === 'ethereum' ? tx.txHash.toLowerCase() : tx.txHash };
}

export function webhooksRouter(deps: AppDeps): Router {
  const { db } = deps;
  const router = Router();
  const verify = deps.verifyCircleWebhook ?? circleWebhookVerifier(deps.config);

  documentRoute({
    method: 'head',
    path: '/v1/webhooks/circle',
    summary: 'Circle checks a subscription endpoint with HEAD before it delivers',
    responses: { 200: { description: 'Subscribed' } },
  });
  router.head('/v1/webhooks/circle', (_req, res) => void res.status(200).end());

  documentRoute({
    method: 'post',
    path: '/v1/webhooks/circle',
    summary: 'Circle notifications (X-Circle-Signature over the raw body)',
    description: 'An inbound transfer to a user wallet starts (or joins) its deposit saga. Answers fast.',
    body: notificationBody,
    responses: { 200: { description: 'Received', schema: z.object({ received: z.literal(true) }) } },
    problems: [401, 503],
  });
  router.post('/v1/webhooks/circle', express.raw({ type: () => true, limit: '256kb' }), async (req, res) => {
    const rawBody = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    const verified = await verify({ rawBody, signature: req.get('x-circle-signature'), keyId: req.get('x-circle-key-id') });
    if (!verified) throw new HttpProblem(401, 'The Circle signature does not verify', { title: 'Bad signature' });

    let json: unknown;
    try {
      json = JSON.parse(rawBody.toString('utf8'));
    } catch {
      throw HttpProblem.malformedJson();
    }
    const event = parse(notificationBody, json);
    const log = req.log.child({ notificationId: event.notificationId, notificationType: event.notificationType });
    const transfer = inboundTransferOf(event);
    if (!transfer) {
      log.info('circle notification ignored');
      return void res.status(200).json({ received: true });
    }

    const { chain, txHash } = transfer;
    const wallet = await walletReachedBy(db, transfer);
    const deposit = await db.deposit.findUnique({ where: { chain_txHash: { chain, txHash } }, select: { status: true } });
    if (!wallet || (deposit && isTerminal(depositTransitions, deposit.status))) {
      log.info({ knownWallet: Boolean(wallet), depositStatus: deposit?.status }, 'circle notification needs nothing');
      return void res.status(200).json({ received: true });
    }

    const workflowId = workflowIds.deposit(chain, txHash);
    const start = () =>
      startWithoutWaiting(deps, { workflowType: 'depositWorkflow', workflowId, input: { chain, txHash, userId: wallet.userId, transfer } });
    if (!deposit) await start();
    else {
      // The saga runs already: the news only wakes its wait early (it reads the transfer from Circle itself).
      try {
        await deps.temporal.workflow
          .getHandle(workflowId)
          .signal(depositTransferUpdate, { transferId: transfer.id, state: transfer.state });
      } catch (error) {
        if (!(error instanceof WorkflowNotFoundError)) throw error;
        await start(); // the run is gone (terminated): a new one picks up where the row is
      }
    }
    log.info({ txHash, chain }, 'deposit saga notified');
    res.status(200).json({ received: true });
  });

  return router;
}
