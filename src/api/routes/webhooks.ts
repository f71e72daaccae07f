import { WorkflowNotFoundError } from '@temporalio/client';
import express, { Router } from 'express';
import { z } from 'zod';
import { walletReachedBy } from '../../db/wallets.js';
import { depositTransitions, isTerminal } from '../../domain/status.js';
import { depositTransferUpdate, workflowIds } from '../../../workflows/definitions.js';
import { startWithoutWaiting } from '../accept.js';
import type { AppDeps } from '../app.js';
import { circleWebhookVerifier } from '../../providers/circle/webhook.js';
import { circleBlockchainChains, transferState } from '../../providers/circle/wallets.js';
import type { Chain } from '../../providers/ports.js';
import type { Logger } from '../../logger.js';
import { documentRoute } from '../openapi.js';
import { HttpProblem } from '../problem.js';
import { parse } from '../validate.js';

// Circle's notifications (Programmable Wallets, v2). No bearer token: the ECDSA signature over the raw body is
// the authentication, so nothing is parsed, logged as trusted or started before it verifies. A notification is
// news, never money: the saga gets only the transaction's chain and hash and reads the transfers from Circle.
// An inbound transfer to a user's wallet that is not recorded yet reports its transaction to the deposit saga
// (update-with-start: it joins the running run, which looks again, or starts a new one, also after the deposit
// ended); news of the deposit's own transfer only wakes the running saga's wait. Each notificationId acts once
// (table circle_notifications), whichever API process receives it and however often Circle redelivers.

export type WebhookVerifier = (input: { rawBody: Buffer; signature: string | undefined; keyId: string | undefined }) => Promise<boolean>;

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
  // Before the chain has a hash Circle has nothing to key a deposit on; a later notification carries it.
  txHash: z.string().min(1),
  destinationAddress: z.string(),
});

interface InboundNews {
  transferId: string;
  state: ReturnType<typeof transferState>;
  chain: Chain;
  txHash: string;
  walletId: string;
  destinationAddress: string;
}

/** The inbound transfer a notification announces; undefined for anything else. */
function inboundNewsOf(event: z.output<typeof notificationBody>): InboundNews | undefined {
  if (event.notificationType !== 'transactions.inbound') return undefined;
  const parsed = inboundTransaction.safeParse(event.notification);
  if (!parsed.success) return undefined;
  const tx = parsed.data;
  const chain = circleBlockchainChains[tx.blockchain]!;
  return {
    transferId: tx.id,
    state: transferState(tx.state),
    chain,
    // Hex is case-insensitive; deposits key on the lower-case hash (as POST /v1/deposits stores it).
    txHash: chain === 'ethereum' ? tx.txHash.toLowerCase() : tx.txHash,
    walletId: tx.walletId,
    destinationAddress: tx.destinationAddress,
  };
}

export function webhooksRouter(deps: AppDeps): Router {
  const { db } = deps;
  const router = Router();
  const verify = deps.verifyCircleWebhook ?? circleWebhookVerifier(deps.config);

  documentRoute({
    method: 'head',
    path: '/v1/webhooks/circle',
    operationId: 'checkCircleWebhook',
    tag: 'webhooks',
    summary: 'Circle checks a subscription endpoint with HEAD before it delivers',
    description: 'Answers 200 so that Circle accepts the endpoint when a subscription is created; no token, no effect.',
    responses: { 200: { description: 'Subscribed' } },
  });
  router.head('/v1/webhooks/circle', (_req, res) => void res.status(200).end());

  documentRoute({
    method: 'post',
    path: '/v1/webhooks/circle',
    operationId: 'receiveCircleNotification',
    tag: 'webhooks',
    summary: 'Circle notifications (X-Circle-Signature over the raw body)',
    description:
      'An inbound transfer to a user wallet reports its transaction to the deposit saga (started, joined, or ' +
      'started again when a transfer joins an ended deposit); the saga reads the transfers from Circle. Answers fast.',
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
    // Circle delivers at least once, and a redelivery may reach another API process: a notification handled
    // before is not handled again. It is remembered only once handled, so a process that dies in between never
    // makes Circle's redelivery look handled (deliveries at the same moment may both act: the saga's workflow id
    // and its idempotent accept make that one run).
    const seen = await db.circleNotification.findUnique({
      where: { notificationId: event.notificationId },
      select: { notificationId: true },
    });
    if (seen) {
      log.info('circle notification already handled');
      return void res.status(200).json({ received: true });
    }
    await handleNotification(deps, event, log);
    await db.circleNotification.createMany({
      data: [{ notificationId: event.notificationId, notificationType: event.notificationType }],
      skipDuplicates: true,
    });
    res.status(200).json({ received: true });
  });

  return router;
}

/** Starts or signals the deposit saga an inbound transfer concerns; nothing for any other notification. */
async function handleNotification(deps: AppDeps, event: z.output<typeof notificationBody>, log: Logger): Promise<void> {
  const { db } = deps;
  const news = inboundNewsOf(event);
  if (!news) return void log.info('circle notification ignored');

  const { chain, txHash } = news;
  const wallet = await walletReachedBy(db, news);
  const recorded = await db.inboundTransfer.findUnique({
    where: { circleTransferId: news.transferId },
    select: { disposition: true, deposit: { select: { status: true } } },
  });
  const running = recorded?.deposit && !isTerminal(depositTransitions, recorded.deposit.status);
  if (!wallet || (recorded && !running)) {
    return void log.info({ knownWallet: Boolean(wallet), disposition: recorded?.disposition }, 'circle notification needs nothing');
  }

  const workflowId = workflowIds.deposit(chain, txHash);
  const report = () =>
    startWithoutWaiting(deps, {
      workflowType: 'depositWorkflow',
      workflowId,
      input: { chain, txHash, reportedBy: `circle:${event.notificationId}` },
    });
  let handed: 'handed' | 'abandoned' = 'handed';
  if (!recorded) handed = await report();
  else {
    // The deposit's own transfer moved on: the news only wakes the running saga's wait.
    try {
      await deps.temporal.workflow.getHandle(workflowId).signal(depositTransferUpdate, { transferId: news.transferId, state: news.state });
    } catch (error) {
      if (!(error instanceof WorkflowNotFoundError)) throw error;
      // The run is gone (terminated): a new one picks up where the row is, unless it was abandoned for an operator.
      handed = await report();
    }
  }
  if (handed === 'abandoned') return void log.warn({ txHash, chain }, 'deposit saga abandoned for manual settlement: not started again');
  log.info({ txHash, chain }, 'deposit saga notified');
}
