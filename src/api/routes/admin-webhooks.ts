import { randomBytes, randomUUID } from 'node:crypto';
import type { Router } from 'express';
import { z } from 'zod';
import { eventTypeFilters } from '../../domain/events.js';
import type { WebhookDelivery, WebhookDeliveryAttempt, WebhookEndpoint } from '../../generated/prisma/client.js';
import { deliveryRetryOf, startDeliveryRun } from '../../schedules/webhooks.js';
import { receiverUrlProblem } from '../../webhooks/receivers.js';
import { storedWebhookSecret } from '../../webhooks/secrets.js';
import type { AppDeps } from '../app.js';
import { audited } from '../audit.js';
import { findOwned } from '../owned.js';
import { pageArgs, toPage } from '../pagination.js';
import { HttpProblem } from '../problem.js';
import { route } from '../route.js';
import { listQuery } from '../schemas.js';
import { pageView } from '../serializers.js';

// Operators manage the endpoints events are pushed to (Standard Webhooks: workflows/webhooks.ts delivers them)
// and read each endpoint's delivery log, replaying a delivery when a receiver lost or rejected it. Every change
// is audited like any operator action; the signing secret is shown once, at creation, and never logged.

const receiverUrl = z
  .url({ protocol: /^https?$/ })
  .max(2048)
  .meta({
    description:
      'Where events are POSTed: https in production, and never (nor resolving to) a loopback, private, link-local or metadata address',
    example: 'https://app.example.com/hooks/fundflow',
  });
const eventTypesField = z
  .array(z.enum(eventTypeFilters))
  .max(100)
  .meta({ description: 'Event types this endpoint receives (`deposit.broker_funded`, or `deposit.*`); empty: every type' });

const createBody = z.strictObject({
  url: receiverUrl,
  description: z.string().trim().max(500).optional(),
  eventTypes: eventTypesField.default([]),
  enabled: z.boolean().default(true),
});
const updateBody = z
  .strictObject({
    url: receiverUrl.optional(),
    description: z.string().trim().max(500).nullable().optional(),
    eventTypes: eventTypesField.optional(),
    enabled: z.boolean().optional().meta({ description: 'false: nothing is sent (deliveries wait) until enabled again' }),
  })
  .refine((b) => Object.keys(b).length > 0, { message: 'nothing to change' });

const endpointView = z
  .object({
    id: z.guid(),
    url: z.string(),
    description: z.string().nullable(),
    eventTypes: z.array(z.string()),
    enabled: z.boolean(),
    createdBy: z.string().meta({ description: "The creating operator token's `sub`" }),
    createdAt: z.iso.datetime(),
    updatedAt: z.iso.datetime(),
  })
  .meta({ id: 'WebhookEndpoint' });
const createdEndpointView = endpointView
  .extend({
    secret: z.string().meta({
      description: 'The signing secret (Standard Webhooks, `whsec_` + base64): shown only in this answer; verify deliveries with it',
    }),
  })
  .meta({ id: 'WebhookEndpointCreated' });

const attemptView = z
  .object({
    attemptedAt: z.iso.datetime(),
    statusCode: z.number().int().nullable().meta({ description: "The receiver's HTTP status; null when none came" }),
    latencyMs: z.number().int(),
    error: z.string().nullable(),
    succeeded: z.boolean(),
  })
  .meta({ id: 'WebhookDeliveryAttempt' });
const deliveryView = z
  .object({
    id: z.guid(),
    endpointId: z.guid(),
    eventId: z.guid().meta({ description: 'The webhook-id header of every attempt, replays included' }),
    eventType: z.string(),
    resourceType: z.string(),
    resourceId: z.guid(),
    sequence: z.number().int().meta({ description: "The event's place among its resource's events (1, 2, ...)" }),
    status: z.enum(['pending', 'delivered', 'failed']),
    attemptCount: z.number().int(),
    lastAttemptAt: z.iso.datetime().nullable(),
    deliveredAt: z.iso.datetime().nullable(),
    createdAt: z.iso.datetime(),
    attempts: z.array(attemptView).meta({ description: 'Every attempt, oldest first' }),
  })
  .meta({ id: 'WebhookDelivery' });

type DeliveryRow = WebhookDelivery & { attempts: WebhookDeliveryAttempt[]; event: { type: string } };

function serializeEndpoint(row: WebhookEndpoint): z.input<typeof endpointView> {
  return {
    id: row.id,
    url: row.url,
    description: row.description,
    eventTypes: row.eventTypes as string[],
    enabled: row.enabled,
    createdBy: row.createdBy,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

function serializeDelivery(row: DeliveryRow): z.input<typeof deliveryView> {
  return {
    id: row.id,
    endpointId: row.endpointId,
    eventId: row.eventId,
    eventType: row.event.type,
    resourceType: row.resourceType,
    resourceId: row.resourceId,
    sequence: row.sequence,
    status: row.status as 'pending' | 'delivered' | 'failed',
    attemptCount: row.attemptCount,
    lastAttemptAt: row.lastAttemptAt?.toISOString() ?? null,
    deliveredAt: row.deliveredAt?.toISOString() ?? null,
    createdAt: row.createdAt.toISOString(),
    attempts: row.attempts.map((a) => ({
      attemptedAt: a.attemptedAt.toISOString(),
      statusCode: a.statusCode,
      latencyMs: a.latencyMs,
      error: a.error,
      succeeded: a.succeeded,
    })),
  };
}

const deliveriesQuery = listQuery.extend({ status: z.enum(['pending', 'delivered', 'failed']).optional() });
const withAttempts = { attempts: { orderBy: { id: 'asc' as const } }, event: { select: { type: true } } };

/** Standard Webhooks secrets are base64 of 24 to 64 random bytes, prefixed `whsec_`. */
const newSecret = () => `whsec_${randomBytes(32).toString('base64')}`;

export function webhookEndpointRoutes(router: Router, { db, config, temporal }: AppDeps): void {
  // https in production (a secret signed over plain http can be read on the way), and never an internal address
  // unless WEBHOOK_ALLOW_PRIVATE_URLS (src/webhooks/receivers.ts; delivery checks again where it connects).
  const assertReceiverAllowed = async (url: string | undefined) => {
    const problem = url && (await receiverUrlProblem(config, url));
    if (problem) throw HttpProblem.invalid(`This URL may not receive webhooks: ${problem}`, [{ path: 'body.url', message: problem }]);
  };
  const findEndpoint = (endpointId: string) =>
    findOwned('Webhook endpoint', endpointId, (id) => db.webhookEndpoint.findUnique({ where: { id } }));

  route(
    router,
    {
      method: 'post',
      path: '/v1/admin/webhooks/endpoints',
      operationId: 'createWebhookEndpoint',
      tag: 'admin',
      summary: 'Operator (extension): register an endpoint that receives signed events',
      description:
        'Not in API.md. Events (`deposit.broker_funded`, `order.filled`, `kyc.approved`, `summary.created`, ...) that ' +
        'happen from now on are POSTed to the URL per the Standard Webhooks specification (headers webhook-id = the ' +
        'event id, webhook-timestamp, webhook-signature), in order per resource, retried with exponential backoff for ' +
        'WEBHOOK_RETRY_HOURS. The answer carries the signing secret: it is shown only once.',
      body: createBody,
      responses: { 201: { description: 'The endpoint, with its secret', schema: createdEndpointView } },
    },
    async (req, res, { body }) => {
      const target = {
        action: 'webhook_endpoint_create' as const,
        targetKind: 'webhook_endpoint' as const,
        targetId: body.url,
        details: { url: body.url, eventTypes: body.eventTypes, enabled: body.enabled },
      };
      const endpoint = await audited(db, req, target, async () => {
        await assertReceiverAllowed(body.url);
        // The id is ours so that the sealed secret is bound to its row (src/webhooks/secrets.ts).
        const id = randomUUID();
        const secret = newSecret();
        const row = await db.webhookEndpoint.create({
          data: {
            id,
            url: body.url,
            description: body.description ?? null,
            eventTypes: body.eventTypes,
            enabled: body.enabled,
            secret: storedWebhookSecret(config, id, secret),
            createdBy: req.auth!.subject,
          },
        });
        return { ...row, secret };
      });
      res
        .status(201)
        .location(`/v1/admin/webhooks/endpoints/${endpoint.id}`)
        .json({ ...serializeEndpoint(endpoint), secret: endpoint.secret });
    },
  );

  route(
    router,
    {
      method: 'get',
      path: '/v1/admin/webhooks/endpoints',
      operationId: 'listWebhookEndpoints',
      tag: 'admin',
      summary: 'Operator (extension): the webhook endpoints, newest first',
      description: 'Not in API.md. Without their secrets. Pass nextCursor back as cursor.',
      query: listQuery,
      responses: { 200: { description: 'A page of endpoints', schema: pageView(endpointView).meta({ id: 'WebhookEndpointPage' }) } },
    },
    async (_req, res, { query }) => {
      const rows = await db.webhookEndpoint.findMany(pageArgs(query));
      res.json(toPage(rows, query, serializeEndpoint));
    },
  );

  route(
    router,
    {
      method: 'get',
      path: '/v1/admin/webhooks/endpoints/:id',
      operationId: 'getWebhookEndpoint',
      tag: 'admin',
      summary: 'Operator (extension): one webhook endpoint',
      description: 'Not in API.md. Without its secret.',
      responses: { 200: { description: 'The endpoint', schema: endpointView } },
    },
    async (_req, res, { params }) => {
      res.json(serializeEndpoint(await findEndpoint(params.id)));
    },
  );

  route(
    router,
    {
      method: 'patch',
      path: '/v1/admin/webhooks/endpoints/:id',
      operationId: 'updateWebhookEndpoint',
      tag: 'admin',
      summary: 'Operator (extension): change, disable or enable a webhook endpoint',
      description:
        'Not in API.md. A disabled endpoint gets no attempts; its deliveries wait and go out, in order, once it is ' +
        'enabled again. A changed event type filter applies to events from then on.',
      body: updateBody,
      responses: { 200: { description: 'The endpoint', schema: endpointView } },
    },
    async (req, res, { body, params }) => {
      const target = {
        action: 'webhook_endpoint_update' as const,
        targetKind: 'webhook_endpoint' as const,
        targetId: params.id,
        details: body,
      };
      const endpoint = await audited(db, req, target, async () => {
        await assertReceiverAllowed(body.url);
        await findEndpoint(params.id);
        return db.webhookEndpoint.update({ where: { id: params.id }, data: { ...body, updatedAt: new Date() } });
      });
      res.json(serializeEndpoint(endpoint));
    },
  );

  route(
    router,
    {
      method: 'delete',
      path: '/v1/admin/webhooks/endpoints/:id',
      operationId: 'deleteWebhookEndpoint',
      tag: 'admin',
      summary: 'Operator (extension): delete a webhook endpoint and its delivery log',
      description: 'Not in API.md. Nothing more is sent to it; the events themselves stay (GET /v1/events).',
      responses: { 204: { description: 'Deleted' } },
    },
    async (req, res, { params }) => {
      const target = { action: 'webhook_endpoint_delete' as const, targetKind: 'webhook_endpoint' as const, targetId: params.id };
      await audited(db, req, target, async () => {
        await findEndpoint(params.id);
        await db.webhookEndpoint.delete({ where: { id: params.id } });
      });
      res.status(204).end();
    },
  );

  route(
    router,
    {
      method: 'get',
      path: '/v1/admin/webhooks/endpoints/:id/deliveries',
      operationId: 'listWebhookDeliveries',
      tag: 'admin',
      summary: "Operator (extension): an endpoint's delivery log, newest first",
      description:
        'Not in API.md. One entry per event sent (or to be sent) to the endpoint, with every attempt: status code, ' +
        'latency, error. `pending` is still being tried, `failed` ran out of retries (replay it). Pass nextCursor back as cursor.',
      query: deliveriesQuery,
      responses: { 200: { description: 'A page of deliveries', schema: pageView(deliveryView).meta({ id: 'WebhookDeliveryPage' }) } },
    },
    async (_req, res, { params, query }) => {
      await findEndpoint(params.id);
      const rows = await db.webhookDelivery.findMany({
        where: { endpointId: params.id, ...(query.status ? { status: query.status } : {}) },
        ...pageArgs(query),
        include: withAttempts,
      });
      res.json(toPage(rows, query, serializeDelivery));
    },
  );

  route(
    router,
    {
      method: 'post',
      path: '/v1/admin/webhooks/endpoints/:id/deliveries/:deliveryId/replay',
      operationId: 'replayWebhookDelivery',
      tag: 'admin',
      summary: 'Operator (extension): send a delivery again',
      description:
        'Not in API.md. A new attempt of the same event (same webhook-id, so a receiver that saw it already can tell), ' +
        "whatever became of the earlier ones; it goes out in its resource's order like any pending delivery. 409 " +
        'while the delivery is still pending.',
      body: z.strictObject({}),
      responses: { 202: { description: 'The delivery, pending again', schema: deliveryView } },
      problems: [409],
    },
    async (req, res, { params }) => {
      const target = {
        action: 'webhook_replay' as const,
        targetKind: 'webhook_delivery' as const,
        targetId: params.deliveryId,
        details: { endpointId: params.id },
      };
      const delivery = await audited(db, req, target, async () => {
        const endpoint = await findEndpoint(params.id);
        const found = await findOwned('Webhook delivery', params.deliveryId, (id) =>
          db.webhookDelivery.findFirst({ where: { id, endpointId: endpoint.id } }),
        );
        const { count } = await db.webhookDelivery.updateMany({
          where: { id: found.id, status: { not: 'pending' } },
          data: { status: 'pending' },
        });
        if (count === 0) throw new HttpProblem(409, 'This delivery is still being tried', { title: 'Delivery pending' });
        await startDeliveryRun(temporal, config.TEMPORAL_TASK_QUEUE, {
          endpointId: found.endpointId,
          resourceType: found.resourceType,
          resourceId: found.resourceId,
          retry: deliveryRetryOf(config),
        });
        return db.webhookDelivery.findUniqueOrThrow({ where: { id: found.id }, include: withAttempts });
      });
      res.status(202).json(serializeDelivery(delivery));
    },
  );
}
