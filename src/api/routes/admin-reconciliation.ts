import type { Router } from 'express';
import { z } from 'zod';
import type { ReconciliationBreak } from '../../generated/prisma/client.js';
import { BreakNotOpen, resolveBreak } from '../../reconcile/breaks.js';
import type { AppDeps } from '../app.js';
import { audited } from '../audit.js';
import { pageArgs, toPage } from '../pagination.js';
import { HttpProblem } from '../problem.js';
import { route } from '../route.js';
import { id, listQuery } from '../schemas.js';
import { pageView } from '../serializers.js';

// Operators' view of the reconciliation against the providers (src/reconcile/): the breaks the hourly schedule
// found, and resolving one with a note once it is explained or corrected (audited like every operator action).

const checks = [
  'firm_balance',
  'projection',
  'deposit',
  'withdrawal',
  'order_fill',
  'position',
  'unrecorded_effect',
  'missing_at_provider',
] as const;

const breakView = z
  .object({
    id: z.guid(),
    check: z.enum(checks).meta({ description: 'Which comparison found it' }),
    subject: z.string().meta({ description: 'The ledger account and asset, or the movement', example: 'circle:mint USDC' }),
    expected: z.string().meta({ description: 'What our books say' }),
    found: z.string().meta({ description: 'What the provider (or the projected table) says' }),
    status: z.enum(['open', 'resolved']),
    firstSeenAt: z.iso.datetime(),
    lastSeenAt: z.iso.datetime().meta({ description: 'The last run that found it (open breaks only move on)' }),
    resolvedAt: z.iso.datetime().nullable(),
    resolvedBy: z.string().nullable().meta({ description: "The resolving operator token's `sub`" }),
    resolutionNote: z.string().nullable(),
  })
  .meta({ id: 'ReconciliationBreak' });

function serializeBreak(row: ReconciliationBreak): z.input<typeof breakView> {
  return {
    id: row.id,
    check: row.checkName as (typeof checks)[number],
    subject: row.subject,
    expected: row.expected,
    found: row.found,
    status: row.status as 'open' | 'resolved',
    firstSeenAt: row.firstSeenAt.toISOString(),
    lastSeenAt: row.lastSeenAt.toISOString(),
    resolvedAt: row.resolvedAt?.toISOString() ?? null,
    resolvedBy: row.resolvedBy,
    resolutionNote: row.resolutionNote,
  };
}

const breaksQuery = listQuery.extend({ status: z.enum(['open', 'resolved']).optional(), check: z.enum(checks).optional() });
const resolveBody = z.strictObject({ note: z.string().trim().min(1).max(1000) });

export function reconciliationRoutes(router: Router, { db }: AppDeps): void {
  route(
    router,
    {
      method: 'get',
      path: '/v1/admin/reconciliation/breaks',
      operationId: 'listReconciliationBreaks',
      tag: 'admin',
      summary: 'Operator (extension): breaks the reconciliation against the providers found, newest first',
      description:
        'Not in API.md. One entry per break (a firm account whose provider balance differs from the ledger, a ' +
        'projection that differs from the ledger, a deposit or withdrawal whose provider movements do not add up, ' +
        'an order fill or position the broker does not hold, an effect at a provider that fundflow never recorded). ' +
        'A break stays open until resolved; a run that finds an open break again updates it. Pass nextCursor back as cursor.',
      query: breaksQuery,
      responses: { 200: { description: 'A page of breaks', schema: pageView(breakView).meta({ id: 'ReconciliationBreakPage' }) } },
    },
    async (_req, res, { query }) => {
      const rows = await db.reconciliationBreak.findMany({
        where: { ...(query.status ? { status: query.status } : {}), ...(query.check ? { checkName: query.check } : {}) },
        ...pageArgs(query),
        orderBy: [{ firstSeenAt: 'desc' }, { id: 'desc' }],
      });
      res.json(toPage(rows, query, serializeBreak));
    },
  );

  route(
    router,
    {
      method: 'post',
      path: '/v1/admin/reconciliation/breaks/:id/resolve',
      operationId: 'resolveReconciliationBreak',
      tag: 'admin',
      summary: 'Operator (extension): resolve an open reconciliation break with a note',
      description:
        'Not in API.md. Closes the break with the operator and the note saying why (explained, corrected). A later ' +
        'run that still finds the same difference opens a new break. 409 when it is resolved already.',
      body: resolveBody,
      responses: { 200: { description: 'The resolved break', schema: breakView } },
      problems: [404, 409],
    },
    async (req, res, { body, params }) => {
      const target = {
        action: 'reconciliation_resolve' as const,
        targetKind: 'reconciliation_break' as const,
        targetId: params.id,
        details: { note: body.note },
      };
      const resolved = await audited(db, req, target, async () => {
        if (!id.safeParse(params.id).success) throw new HttpProblem(404, 'No such reconciliation break');
        try {
          const row = await resolveBreak(db, { id: params.id, operator: req.auth!.subject, note: body.note });
          if (!row) throw new HttpProblem(404, 'No such reconciliation break');
          return row;
        } catch (error) {
          if (error instanceof BreakNotOpen) throw new HttpProblem(409, error.message, { title: 'Break already resolved' });
          throw error;
        }
      });
      res.json(serializeBreak(resolved));
    },
  );
}
