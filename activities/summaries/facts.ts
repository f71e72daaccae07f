import { Prisma, type Db } from '../../src/db/client.js';
import { weekRange } from '../../src/domain/week.js';

// The two reads of the weekly summary, one SQL statement each (a million users: no read-before-write, no
// per-table round trips). Money leaves PostgreSQL as text with its 2 decimals, so no float ever holds it.
//
// "Active user" = KYC approved. "Activity" in a week = at least one deposit, withdrawal or order created in
// [weekStart, weekStart + 7 days); each counts with the status it has when the summary is written.

export interface WeeklyFacts {
  userId: string;
  /** Monday, YYYY-MM-DD. */
  weekStartDate: string;
  /** Whether ai_summaries already holds this user's week (the run then writes nothing). */
  alreadySummarized: boolean;
  deposits: { count: number; fundedUsd: string; inProgressUsd: string; failedCount: number };
  withdrawals: { count: number; completedUsd: string; inProgressUsd: string; failedCount: number };
  orders: { count: number; boughtUsd: string; soldUsd: string };
  /** Funded deposits − withdrawals not failed − bought + sold: what the week's activity did to buying power. */
  netFlowUsd: string;
  /** Buying power now (the ledger keeps no history, so "at week end" is not available). */
  buyingPowerUsd: string;
  /** Largest holdings now, by market value (at most 10). */
  positions: { symbol: string; quantity: string; marketValueUsd: string | null }[];
}

function activityIn(start: Date, end: Date) {
  return Prisma.sql`(
    EXISTS (SELECT 1 FROM deposits d WHERE d.user_id = u.id AND d.created_at >= ${start} AND d.created_at < ${end})
    OR EXISTS (SELECT 1 FROM withdrawals w WHERE w.user_id = u.id AND w.created_at >= ${start} AND w.created_at < ${end})
    OR EXISTS (SELECT 1 FROM orders o WHERE o.user_id = u.id AND o.created_at >= ${start} AND o.created_at < ${end})
  )`;
}

/**
 * One keyset page (by user id) of the active users with activity in the week and no summary for it yet, so a
 * rerun of a finished week starts nothing and a rerun of an interrupted one resumes where it stopped.
 */
export async function summaryCandidates(db: Db, input: { weekStartDate: string; afterUserId?: string; limit: number }): Promise<string[]> {
  const { start, end } = weekRange(input.weekStartDate);
  const rows = await db.$queryRaw<{ id: string }[]>`
    SELECT u.id::text AS id FROM users u
    WHERE u.kyc_status = 'approved'
      ${input.afterUserId ? Prisma.sql`AND u.id > ${input.afterUserId}::uuid` : Prisma.empty}
      AND NOT EXISTS (SELECT 1 FROM ai_summaries s WHERE s.user_id = u.id AND s.week_start_date = ${input.weekStartDate}::date)
      AND ${activityIn(start, end)}
    ORDER BY u.id
    LIMIT ${input.limit}`;
  return rows.map((r) => r.id);
}

interface FactsRow {
  already_summarized: boolean;
  deposit_count: number;
  deposit_failed_count: number;
  deposit_funded_usd: string;
  deposit_in_progress_usd: string;
  withdrawal_count: number;
  withdrawal_failed_count: number;
  withdrawal_completed_usd: string;
  withdrawal_in_progress_usd: string;
  order_count: number;
  bought_usd: string;
  sold_usd: string;
  net_flow_usd: string;
  buying_power_usd: string;
  positions: { symbol: string; quantity: string; market_value_usd: string | null }[];
}

export async function weeklyFacts(db: Db, input: { userId: string; weekStartDate: string }): Promise<WeeklyFacts> {
  const { userId, weekStartDate } = input;
  const { start, end } = weekRange(weekStartDate);
  // A deposit is worth its USDC truncated to cents in USD (1 USDC = 1 USD), as the ledger credits it.
  const [row] = await db.$queryRaw<FactsRow[]>`
    WITH
    d AS (
      SELECT count(*)::int AS count,
        count(*) FILTER (WHERE status = 'failed')::int AS failed_count,
        round(coalesce(sum(trunc(amount_stablecoin, 2)) FILTER (WHERE status = 'broker_funded'), 0), 2) AS funded,
        round(coalesce(sum(trunc(amount_stablecoin, 2)) FILTER (WHERE status NOT IN ('broker_funded', 'failed')), 0), 2) AS in_progress
      FROM deposits WHERE user_id = ${userId}::uuid AND created_at >= ${start} AND created_at < ${end}),
    w AS (
      SELECT count(*)::int AS count,
        count(*) FILTER (WHERE status = 'failed')::int AS failed_count,
        round(coalesce(sum(amount_usd) FILTER (WHERE status = 'complete'), 0), 2) AS completed,
        round(coalesce(sum(amount_usd) FILTER (WHERE status NOT IN ('complete', 'failed')), 0), 2) AS in_progress
      FROM withdrawals WHERE user_id = ${userId}::uuid AND created_at >= ${start} AND created_at < ${end}),
    o AS (
      SELECT count(*)::int AS count,
        round(coalesce(sum(f.filled) FILTER (WHERE o.side = 'buy'), 0), 2) AS bought,
        round(coalesce(sum(f.filled) FILTER (WHERE o.side = 'sell'), 0), 2) AS sold
      FROM orders o
      CROSS JOIN LATERAL (SELECT coalesce(sum(l.filled_amount_usd), 0) AS filled FROM order_legs l WHERE l.order_id = o.id) f
      WHERE o.user_id = ${userId}::uuid AND o.created_at >= ${start} AND o.created_at < ${end})
    SELECT
      EXISTS (SELECT 1 FROM ai_summaries WHERE user_id = ${userId}::uuid AND week_start_date = ${weekStartDate}::date) AS already_summarized,
      d.count AS deposit_count, d.failed_count AS deposit_failed_count,
      d.funded::text AS deposit_funded_usd, d.in_progress::text AS deposit_in_progress_usd,
      w.count AS withdrawal_count, w.failed_count AS withdrawal_failed_count,
      w.completed::text AS withdrawal_completed_usd, w.in_progress::text AS withdrawal_in_progress_usd,
      o.count AS order_count, o.bought::text AS bought_usd, o.sold::text AS sold_usd,
      (d.funded - w.completed - w.in_progress - o.bought + o.sold)::text AS net_flow_usd,
      coalesce((SELECT buying_power_usd FROM balances WHERE user_id = ${userId}::uuid), 0.00)::numeric(18, 2)::text AS buying_power_usd,
      coalesce((
        SELECT json_agg(json_build_object('symbol', p.symbol, 'quantity', p.quantity::text, 'market_value_usd', p.market_value::text))
        FROM (SELECT symbol, quantity, market_value FROM positions_cache WHERE user_id = ${userId}::uuid
              ORDER BY market_value DESC NULLS LAST, symbol LIMIT 10) p
      ), '[]'::json) AS positions
    FROM d, w, o`;
  if (!row) throw new Error('weekly facts query returned no row');
  return {
    userId,
    weekStartDate,
    alreadySummarized: row.already_summarized,
    deposits: {
      count: row.deposit_count,
      fundedUsd: row.deposit_funded_usd,
      inProgressUsd: row.deposit_in_progress_usd,
      failedCount: row.deposit_failed_count,
    },
    withdrawals: {
      count: row.withdrawal_count,
      completedUsd: row.withdrawal_completed_usd,
      inProgressUsd: row.withdrawal_in_progress_usd,
      failedCount: row.withdrawal_failed_count,
    },
    orders: { count: row.order_count, boughtUsd: row.bought_usd, soldUsd: row.sold_usd },
    netFlowUsd: row.net_flow_usd,
    buyingPowerUsd: row.buying_power_usd,
    positions: row.positions.map((p) => ({
      symbol: p.symbol,
      // numeric(36,18) prints all 18 decimals; the summary wants the quantity as a person writes it.
      quantity: trimZeros(p.quantity),
      marketValueUsd: p.market_value_usd,
    })),
  };
}

function trimZeros(decimal: string): string {
  return decimal.includes('.') ? decimal.replace(/\.?0+$/, '') : decimal;
}

/** Stores the week's summary once: a rerun, a retried activity or a concurrent run never writes a second row. */
export async function insertSummary(db: Db, input: { userId: string; weekStartDate: string; summaryMarkdown: string }): Promise<boolean> {
  const inserted = await db.$executeRaw`
    INSERT INTO ai_summaries (user_id, week_start_date, summary_markdown)
    VALUES (${input.userId}::uuid, ${input.weekStartDate}::date, ${input.summaryMarkdown})
    ON CONFLICT (user_id, week_start_date) DO NOTHING`;
  return inserted === 1;
}

export async function summaryExists(db: Db, input: { userId: string; weekStartDate: string }): Promise<boolean> {
  const rows = await db.$queryRaw<unknown[]>`
    SELECT 1 FROM ai_summaries WHERE user_id = ${input.userId}::uuid AND week_start_date = ${input.weekStartDate}::date`;
  return rows.length > 0;
}
