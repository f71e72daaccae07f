import { Router } from 'express';
import { z } from 'zod';
import type { AppDeps } from '../app.js';
import { callerIdOf } from '../auth.js';
import { HttpProblem } from '../problem.js';
import { route } from '../route.js';

// The caller's events, for a client that prefers pulling to webhooks: the same outbox rows, oldest first, after a
// cursor. Only events of transactions older than every one still running are listed (`xid` below the snapshot's
// xmin), in (xid, position) order: an event that commits late is listed after the cursor that was handed out
// before it committed, never behind it, so a client that follows nextCursor misses nothing.

const eventsQuery = z.object({
  after: z.string().max(100).optional().meta({ description: 'nextCursor of the previous page; omit to start at the oldest event' }),
  limit: z.coerce.number().int().min(1).max(100).default(50),
});

const eventView = z
  .object({
    id: z.guid().meta({ description: 'The same id as the webhook-id header of its webhook deliveries' }),
    type: z.string().meta({ example: 'deposit.broker_funded' }),
    resourceType: z.enum(['deposit', 'withdrawal', 'order', 'wallet', 'kyc', 'summary']),
    resourceId: z.guid().meta({ description: 'The row (for kyc: the user)' }),
    sequence: z.number().int().meta({ description: "The event's place among its resource's events (1, 2, ...)" }),
    data: z.record(z.string(), z.unknown()).meta({ description: 'The resource as it was after the change; money as decimal strings' }),
    createdAt: z.iso.datetime(),
  })
  .meta({ id: 'Event' });

const eventsPageView = z
  .object({
    items: z.array(eventView),
    nextCursor: z.string().nullable().meta({
      description:
        'Pass it back as `after`, now or later: it stays where this page ended (your `after` when nothing new came). Null only before the first event.',
    }),
  })
  .meta({ id: 'EventPage' });

const cursorOf = (xid: bigint, position: bigint) => Buffer.from(`${xid}.${position}`).toString('base64url');

function parseCursor(cursor: string | undefined): [bigint, bigint] {
  if (cursor === undefined) return [-1n, -1n];
  const match = /^(\d{1,19})\.(\d{1,19})$/.exec(Buffer.from(cursor, 'base64url').toString());
  if (!match) throw HttpProblem.invalid('The cursor is not one this API returned', [{ path: 'query.after', message: 'unknown cursor' }]);
  return [BigInt(match[1]!), BigInt(match[2]!)];
}

interface EventRow {
  id: string;
  xid: bigint;
  position: bigint;
  type: string;
  resource_type: string;
  resource_id: string;
  sequence: number;
  data: Record<string, unknown>;
  created_at: Date;
}

export function eventsRouter({ db }: AppDeps): Router {
  const router = Router();

  route(
    router,
    {
      method: 'get',
      path: '/v1/events',
      operationId: 'listEvents',
      tag: 'events',
      summary: "The caller's events, oldest first, after a cursor",
      description:
        "Not in API.md. Every status change of the caller's deposits, withdrawals, orders and wallets, their KYC steps " +
        'and weekly summaries, as delivered by webhooks (`deposit.broker_funded`, ...), recorded in the same ' +
        'transaction as the change. Follow nextCursor to read on; `sequence` orders the events of one resource.',
      query: eventsQuery,
      responses: { 200: { description: 'A page of events', schema: eventsPageView } },
      problems: [404],
    },
    async (req, res, { query }) => {
      const [afterXid, afterPosition] = parseCursor(query.after);
      const rows = await db.$queryRaw<EventRow[]>`
        SELECT id, xid, position, type, resource_type, resource_id, sequence, data, created_at FROM events
         WHERE user_id = ${callerIdOf(req)}::uuid
           AND (xid, position) > (${afterXid}, ${afterPosition})
           AND xid < (SELECT fundflow_events_horizon())
         ORDER BY xid, position
         LIMIT ${query.limit}`;
      const last = rows.at(-1);
      res.json({
        items: rows.map((row) => ({
          id: row.id,
          type: row.type,
          resourceType: row.resource_type,
          resourceId: row.resource_id,
          sequence: row.sequence,
          data: row.data,
          createdAt: row.created_at.toISOString(),
        })),
        nextCursor: last ? cursorOf(last.xid, last.position) : (query.after ?? null),
      });
    },
  );

  return router;
}
