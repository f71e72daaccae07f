import { Prisma } from '../src/db/client.js';
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
//   balances    each user's buying power and pending deposits equal what their movements add up to

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
      o.execution = `unreadable: ${(error as Error).message}`;
    }
    observed.push(o);
  });
  return observed;
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

async function balanceMismatches(stack: ProcessStack, initialUsd: string): Promise<{ users: number; mismatches: string[] }> {
  const rows = await stack.db.$queryRaw<
    { user_id: string; buying_power: string; pending: string; expected_buying_power: string; expected_pending: string }[]
  >`
    WITH d AS (
      SELECT user_id,
             sum(trunc(amount_stablecoin, 2)) FILTER (WHERE status = 'broker_funded') AS funded,
             sum(trunc(amount_stablecoin, 2))
               FILTER (WHERE status IN ('confirmed_on_chain', 'off_ramp_initiated', 'off_ramp_complete')) AS pending
      FROM deposits GROUP BY user_id
    ), w AS (
      SELECT user_id, sum(amount_usd) FILTER (WHERE status <> 'failed') AS withdrawn FROM withdrawals GROUP BY user_id
    ), o AS (
      -- A buy reserves its amount at accept; settling gives back what the fills did not spend. A sell credits the
      -- proceeds its fills booked (never beyond the quantity it held), as they are booked.
      SELECT o.user_id,
             sum(CASE WHEN o.side = 'sell' THEN -coalesce(l.filled, 0)
                      WHEN o.status IN ('filled', 'failed', 'canceled') THEN LEAST(o.amount_usd, coalesce(l.filled, 0))
                      ELSE o.amount_usd END) AS spent
      FROM orders o
      LEFT JOIN (SELECT order_id, sum(filled_amount_usd) AS filled FROM order_legs GROUP BY order_id) l ON l.order_id = o.id
      GROUP BY o.user_id
    )
    SELECT b.user_id::text, b.buying_power_usd::text AS buying_power, b.pending_broker_deposits_usd::text AS pending,
           (${initialUsd}::numeric + coalesce(d.funded, 0) - coalesce(w.withdrawn, 0) - coalesce(o.spent, 0))::text
             AS expected_buying_power,
           coalesce(d.pending, 0)::text AS expected_pending
    FROM balances b LEFT JOIN d USING (user_id) LEFT JOIN w USING (user_id) LEFT JOIN o USING (user_id)`;
  const mismatches = rows
    .filter((r) => !new Prisma.Decimal(r.buying_power).equals(r.expected_buying_power) || !new Prisma.Decimal(r.pending).equals(r.expected_pending))
    .map((r) => `user ${r.user_id}: buying power ${r.buying_power} (expected ${r.expected_buying_power}), pending ${r.pending} (expected ${r.expected_pending})`);
  return { users: rows.length, mismatches };
}

export async function verify(stack: ProcessStack, sagas: Submitted[], initialUsd: string): Promise<Check[]> {
  const observed = await observe(stack, sagas);
  const checks: Check[] = [];

  checks.push(
    check('settled', 'completed, or running parked for an operator', observed, (o) =>
      o.execution === 'COMPLETED' || (o.execution === 'RUNNING' && o.parked) ? undefined : `${o.execution}${o.parked === false ? ' (not parked)' : ''}`,
    ),
  );

  const rowCounts = await Promise.all(
    Object.entries(tables).map(async ([kind, table]) => {
      const [{ count }] = await stack.db.$queryRaw<{ count: number }[]>`SELECT count(*)::int AS count FROM ${Prisma.raw(table)}`;
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

  const balances = await balanceMismatches(stack, initialUsd);
  checks.push({
    name: 'balances',
    expectation: 'buying power and pending = sum of the movements',
    checked: balances.users,
    violations: balances.mismatches,
  });
  return checks;
}
