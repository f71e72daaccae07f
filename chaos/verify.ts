import proto from '@temporalio/proto';
import { Prisma } from '../src/db/client.js';
import { createLogger } from '../src/logger.js';
import { createProviders } from '../src/providers/index.js';
import { reconcile } from '../src/reconcile/index.js';
import type { ProcessStack } from '../scripts/lib/stack.js';
import { progressQuery, searchAttributes } from '../workflows/definitions.js';
import { pool } from '../scripts/lib/stats.js';
import type { Submitted } from './workload.js';

// What must hold after the storm, each check counting its violations with examples:
//   settled     every accepted saga completed, or waits parked for an operator (nothing stuck, failed or lost)
//   rows        every accepted saga has its row, and no row exists without an accepted saga
//   agreement   each row's status is what its workflow says: the result of a completed run, the progress of a
//               parked one, and the FundflowStatus search attribute operators filter on
//   effects     no provider effect happened twice (the sandbox counts effects per idempotency key)
//   reconciliation   the ledger against what Circle and Alpaca report (src/reconcile: every pool, every
//               movement, fills and positions, effects we never recorded) and the projections against the ledger:
//               the money is checked against the providers' books, not against our own rows

export interface Check {
  name: string;
  expectation: string;
  checked: number;
  violations: string[];
}

const tables = { deposit: 'deposits', withdrawal: 'withdrawals', order: 'orders' } as const;

interface Observed {
  saga: Submitted;
  execution: string;
  result?: string;
  parked?: boolean;
  progress?: string;
  row?: string;
}

async function observe(stack: ProcessStack, sagas: Submitted[]): Promise<Observed[]> {
  const rows = new Map<string, string>();
  for (const table of Object.values(tables)) {
    const found = await stack.db.$queryRaw<{ id: string; status: string }[]>`SELECT id::text, status::text FROM ${Prisma.raw(table)}`;
    for (const r of found) rows.set(r.id, r.status);
  }
  const observed: Observed[] = [];
  await pool(sagas.length, 16, async (i) => {
    const saga = sagas[i]!;
    const handle = stack.client.workflow.getHandle(saga.workflowId);
    const o: Observed = { saga, execution: 'MISSING', row: rows.get(saga.id) };
    try {
      o.execution = (await handle.describe()).status.name;
      if (o.execution === 'COMPLETED') {
        // Deposits and withdrawals end with their status; an order with its settlement.
        const result: unknown = await handle.result();
        o.result = String(typeof result === 'object' && result !== null && 'status' in result ? result.status : result);
      }
      if (o.execution === 'RUNNING') {
        const progress = await handle.query(progressQuery);
        o.parked = progress.parked !== undefined;
        o.progress = progress.status;
      }
    } catch (error) {
      o.execution = `unreadable: ${causeChain(error)}; ${await diagnose(stack, saga.workflowId)}`;
    }
    observed.push(o);
  });
  return observed;
}

/** An error's message with its causes: the SDK wraps the server's reason for a failed query in `cause`. */
function causeChain(error: unknown): string {
  const messages: string[] = [];
  for (let e: unknown = error; e instanceof Error && messages.length < 4; e = e.cause) messages.push(e.message);
  return messages.join(' <- ');
}

/**
 * Why a run does not answer: its pending workflow task (a task failing again and again shows a growing attempt)
 * and the last events of its history, with the failure of any failed or timed-out workflow task.
 */
async function diagnose(stack: ProcessStack, workflowId: string): Promise<string> {
  try {
    const handle = stack.client.workflow.getHandle(workflowId);
    const { raw } = await handle.describe();
    const task = raw.pendingWorkflowTask;
    const pending = task
      ? `pending workflow task ${proto.temporal.api.enums.v1.PendingWorkflowTaskState[task.state ?? 0]} attempt ${task.attempt}`
      : 'no pending workflow task';
    const activities = (raw.pendingActivities ?? []).map(
      (a) => `${a.activityType?.name} attempt ${a.attempt} ${a.lastFailure?.message ?? ''}`,
    );
    const { events } = await handle.fetchHistory();
    const tail = (events ?? []).slice(-8).map((e) => {
      const failure = e.workflowTaskFailedEventAttributes;
      const type = proto.temporal.api.enums.v1.EventType[e.eventType ?? 0]?.replace('EVENT_TYPE_', '');
      return failure ? `${type} (${failure.cause}: ${failure.failure?.message ?? ''})` : type;
    });
    return `${pending}; pending activities [${activities.join(', ')}]; last events ${tail.join(' > ')}`;
  } catch (error) {
    return `not diagnosed: ${(error as Error).message}`;
  }
}

function check(name: string, expectation: string, items: Observed[], violation: (o: Observed) => string | undefined): Check {
  const violations = items.flatMap((o) => {
    const v = violation(o);
    return v ? [`${o.saga.workflowId}: ${v}`] : [];
  });
  return { name, expectation, checked: items.length, violations };
}

async function visibilityStatuses(stack: ProcessStack): Promise<Map<string, string | undefined>> {
  const statuses = new Map<string, string | undefined>();
  const query = `${searchAttributes.kind.name} IN ('deposit', 'withdrawal', 'order')`;
  for await (const w of stack.client.workflow.list({ query })) {
    statuses.set(w.workflowId, w.typedSearchAttributes.get(searchAttributes.status));
  }
  return statuses;
}

export async function verify(stack: ProcessStack, sagas: Submitted[]): Promise<Check[]> {
  const observed = await observe(stack, sagas);
  const checks: Check[] = [];

  checks.push(
    check('settled', 'completed, or running parked for an operator', observed, (o) =>
      o.execution === 'COMPLETED' || (o.execution === 'RUNNING' && o.parked)
        ? undefined
        : `${o.execution}${o.parked === false ? ' (not parked)' : ''}`,
    ),
  );

  const rowCounts = await Promise.all(
    Object.entries(tables).map(async ([kind, table]) => {
      const [{ count }] = await stack.db.$queryRaw<[{ count: number }]>`SELECT count(*)::int AS count FROM ${Prisma.raw(table)}`;
      const accepted = new Set(sagas.filter((s) => s.kind === kind).map((s) => s.id)).size;
      return count === accepted ? undefined : `${table}: ${count} rows for ${accepted} accepted requests`;
    }),
  );
  const rows = check('rows', 'one row per accepted saga, none without one', observed, (o) => (o.row ? undefined : 'no row'));
  rows.violations.push(...rowCounts.filter((v): v is string => v !== undefined));
  checks.push(rows);

  const visibility = await visibilityStatuses(stack);
  checks.push(
    check('agreement', 'row status = run result / parked progress = FundflowStatus', observed, (o) => {
      const said = o.result ?? o.progress;
      if (said !== undefined && said !== o.row) return `row ${o.row}, workflow ${said}`;
      const attribute = visibility.get(o.saga.workflowId);
      if (attribute !== o.row) return `row ${o.row}, FundflowStatus ${attribute}`;
      return undefined;
    }),
  );

  const duplicated = await stack.sandbox.duplicatedEffects();
  const { effects } = await stack.sandbox.effects();
  checks.push({
    name: 'effects',
    expectation: 'each idempotency key moved money once',
    checked: effects.length,
    violations: duplicated.map((e) => `${e.provider}.${e.operation} key ${e.key}: ${e.count} effects`),
  });

  const breaks = await reconcile({
    db: stack.db,
    providers: createProviders(stack.config, createLogger('warn', 'chaos')),
    config: stack.config,
  });
  checks.push({
    name: 'reconciliation',
    expectation: 'ledger = providers (pools, movements, fills, positions); projections = ledger',
    checked: await stack.db.ledgerTransaction.count(),
    violations: breaks.map((b) => `${b.check} ${b.subject}: expected ${b.expected}, found ${b.found}`),
  });
  return checks;
}
