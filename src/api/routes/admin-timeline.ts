import type { Router } from 'express';
import { z } from 'zod';
import { movementTimelineFacts, type MovementKind, type MovementTimelineFacts } from '../../db/movement-timeline.js';
import { formatUsd, formatUsdc } from '../../domain/money.js';
import type { AppDeps } from '../app.js';
import { findOwned } from '../owned.js';
import { route } from '../route.js';
import { temporalRunUrl, temporalWorkflowRunsUrl } from '../temporal-ui.js';

// One timeline per money movement for operators: every status change with its time (the events outbox), the
// ledger transactions booked for it with their postings, the provider calls and references (Circle transfer and
// payout ids, Alpaca journal and order ids, the transaction hash), the operators' actions on it (audit log), and
// a link to its run in the Temporal Web UI — oldest first. The HTML view (operator-pages.ts) renders the same.

export const movementResources = { deposits: 'deposit', withdrawals: 'withdrawal', orders: 'order' } as const satisfies Record<
  string,
  MovementKind
>;
export type MovementResource = keyof typeof movementResources;
const titleOf = { deposit: 'Deposit', withdrawal: 'Withdrawal', order: 'Order' } as const;

const at = z.iso.datetime().meta({ description: "When it happened (the writing transaction's time for rows)" });
const decimal = (description: string) => z.string().meta({ description, example: '25.50' });

const statusChangeView = z
  .object({
    type: z.literal('status_change'),
    at,
    status: z.string().meta({ description: 'The schema enum value the movement changed to' }),
    eventType: z.string().meta({ example: 'deposit.broker_funded' }),
    eventId: z.guid().meta({ description: 'The event (GET /v1/events, webhook-id of its deliveries)' }),
    sequence: z.number().int(),
  })
  .meta({ id: 'TimelineStatusChange' });

const postingView = z
  .object({
    account: z.string().meta({ example: 'user:buying_power' }),
    asset: z.string().meta({ example: 'USD' }),
    amount: decimal('Signed: what the account received (positive) or gave (negative); USD with 2 decimals where whole cents'),
    userId: z.guid().nullable(),
  })
  .meta({ id: 'TimelineLedgerPosting' });

const ledgerEntryView = z
  .object({
    type: z.literal('ledger_transaction'),
    at,
    transactionId: z.string().meta({ description: 'ledger_transactions.id' }),
    kind: z.string().meta({ example: 'confirmed', description: 'The step that booked it; unique per movement' }),
    reference: z.string().meta({ example: 'deposit:6f1c1d2e-…' }),
    postings: z.array(postingView),
  })
  .meta({ id: 'TimelineLedgerTransaction' });

const providerCallView = z
  .object({
    type: z.literal('provider_call'),
    at: at.meta({ description: "When the provider's answer was first recorded" }),
    provider: z.string().meta({ example: 'circle-mint' }),
    kind: z.string().meta({ example: 'off_ramp' }),
    providerId: z.string().meta({ description: "The provider's id of what it did (payout, journal, transfer, order)" }),
    idempotencyKey: z.string().meta({ description: "Ours: <workflowId>:<step>, or an order leg's client_order_id" }),
    amount: decimal('As sent'),
    asset: z.string(),
  })
  .meta({ id: 'TimelineProviderCall' });

const operatorActionView = z
  .object({
    type: z.literal('operator_action'),
    at,
    operatorSubject: z.string(),
    action: z.string().meta({ example: 'retry' }),
    outcome: z.enum(['accepted', 'refused', 'failed']),
    reason: z.string().nullable(),
    details: z.record(z.string(), z.unknown()),
  })
  .meta({ id: 'TimelineOperatorAction' });

const entryView = z
  .discriminatedUnion('type', [statusChangeView, ledgerEntryView, providerCallView, operatorActionView])
  .meta({ id: 'TimelineEntry' });

const referenceView = z
  .object({
    provider: z.string().meta({ description: '`chain` for the transaction hash', example: 'alpaca' }),
    kind: z.string().meta({ example: 'broker_fund' }),
    reference: z.string(),
    symbol: z.string().optional().meta({ description: "An order leg's symbol" }),
    sources: z
      .array(z.enum(['row', 'provider_movements', 'inbound_transfers']))
      .meta({ description: "Where fundflow has it: the movement's row(s), the provider call log, Circle's inbound transfer" }),
  })
  .meta({ id: 'TimelineProviderReference' });

export const movementTimelineView = z
  .object({
    movement: z.object({
      kind: z.enum(['deposit', 'withdrawal', 'order']),
      id: z.guid(),
      userId: z.guid(),
      status: z.string(),
      failureReason: z.string().nullable(),
      createdAt: z.iso.datetime(),
    }),
    temporal: z.object({
      workflowId: z.string(),
      runId: z.string().nullable().meta({ description: 'The latest run; null when Temporal does not know it (any more)' }),
      executionStatus: z.string().nullable().meta({ example: 'COMPLETED' }),
      temporalUiUrl: z.url().meta({ description: "The run's history in the Temporal Web UI (or its workflow id's runs)" }),
    }),
    providerReferences: z.array(referenceView),
    entries: z.array(entryView).meta({ description: 'Oldest first' }),
  })
  .meta({ id: 'MovementTimeline' });

export type MovementTimeline = z.input<typeof movementTimelineView>;
type Entry = z.input<typeof entryView>;

/** USD in whole cents with 2 decimals; anything else (USDC, shares, a fraction of a cent) plain, without trailing zeros. */
function amountOf(asset: string, value: { toFixed(): string; decimalPlaces(): number }): string {
  return asset === 'USD' && value.decimalPlaces() <= 2 ? formatUsd(value.toFixed()) : formatUsdc(value.toFixed());
}

/** Same instant (one transaction): the status first, then what it booked, called and who acted. */
const rank: Record<Entry['type'], number> = { status_change: 0, ledger_transaction: 1, provider_call: 2, operator_action: 3 };

function entriesOf(facts: MovementTimelineFacts): Entry[] {
  const entries: Entry[] = [
    ...facts.statusChanges.map((s) => ({
      type: 'status_change' as const,
      at: s.at.toISOString(),
      status: s.status,
      eventType: s.type,
      eventId: s.eventId,
      sequence: s.sequence,
    })),
    ...facts.ledger.map((t) => ({
      type: 'ledger_transaction' as const,
      at: t.createdAt.toISOString(),
      transactionId: t.id.toString(),
      kind: t.kind,
      reference: t.reference,
      postings: t.postings.map((p) => ({ account: p.account, asset: p.asset, amount: amountOf(p.asset, p.amount), userId: p.userId })),
    })),
    ...facts.providerMovements.map((m) => ({
      type: 'provider_call' as const,
      at: m.firstSeenAt.toISOString(),
      provider: m.provider,
      kind: m.kind,
      providerId: m.providerId,
      idempotencyKey: m.idempotencyKey,
      amount: amountOf(m.asset, m.amount),
      asset: m.asset,
    })),
    ...facts.operatorActions.map((a) => ({
      type: 'operator_action' as const,
      at: a.createdAt.toISOString(),
      operatorSubject: a.operatorSubject,
      action: a.action,
      outcome: a.outcome as 'accepted' | 'refused' | 'failed',
      reason: a.reason,
      details: a.details as Record<string, unknown>,
    })),
  ];
  // ISO strings of one format sort as their instants; the sort is stable, so each kind keeps its own order.
  return entries.sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : rank[a.type] - rank[b.type]));
}

/** The timeline of one movement, or a 404 problem (unknown or malformed id). */
export async function movementTimeline(
  deps: Pick<AppDeps, 'db' | 'temporal' | 'config'>,
  resource: MovementResource,
  rawId: string,
): Promise<MovementTimeline> {
  const kind = movementResources[resource];
  const facts = await findOwned(titleOf[kind], rawId, (id) => movementTimelineFacts(deps.db, kind, id));
  let run: { runId: string; executionStatus: string } | null = null;
  try {
    const description = await deps.temporal.workflow.getHandle(facts.workflowId).describe();
    run = { runId: description.runId, executionStatus: description.status.name };
  } catch {
    // Not found (retention passed, or the saga never started) or Temporal unreachable: the rows still tell the story.
  }
  return {
    movement: {
      kind,
      id: facts.id,
      userId: facts.userId,
      status: facts.status,
      failureReason: facts.failureReason,
      createdAt: facts.createdAt.toISOString(),
    },
    temporal: {
      workflowId: facts.workflowId,
      runId: run?.runId ?? null,
      executionStatus: run?.executionStatus ?? null,
      temporalUiUrl: run
        ? temporalRunUrl(deps.config, facts.workflowId, run.runId)
        : temporalWorkflowRunsUrl(deps.config, facts.workflowId),
    },
    providerReferences: facts.references,
    entries: entriesOf(facts),
  };
}

export function movementTimelineRoutes(router: Router, deps: AppDeps): void {
  for (const resource of Object.keys(movementResources) as MovementResource[]) {
    const what = titleOf[movementResources[resource]];
    route(
      router,
      {
        method: 'get',
        path: `/v1/admin/${resource}/:id/timeline`,
        operationId: `get${what}Timeline`,
        tag: 'admin',
        summary: `Operator (extension): everything that happened to one ${what.toLowerCase()}, oldest first`,
        description:
          'Not in API.md. One list ordered by time: every status change (from the events outbox), the ledger ' +
          'transactions booked for it with their postings, the provider calls made for it (provider_movements), and ' +
          "the operators' actions on it (audit log); beside it, every provider reference (Circle transfer and payout " +
          'ids, Alpaca journal and order ids, the transaction hash) from its rows and the call log, and a link to its ' +
          `run in the Temporal Web UI. Also as a page for a browser: /admin/${resource}/{id}/timeline.`,
        responses: { 200: { description: 'The timeline', schema: movementTimelineView } },
      },
      async (_req, res, { params }) => {
        res.json(await movementTimeline(deps, resource, params.id));
      },
    );
  }
}
