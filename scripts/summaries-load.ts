import '../src/load-env.js';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime, Worker } from '@temporalio/worker';
import pg from 'pg';
import { createActivities } from '../activities/index.js';
import { loadConfig } from '../src/config.js';
import { createDb } from '../src/db/client.js';
import { ensureDatabase, migrate } from '../src/db/migrate.js';
import { previousWeekStart, weekRange } from '../src/domain/week.js';
import { createLogger } from '../src/logger.js';
import { createProviders } from '../src/providers/index.js';
import { startSandbox } from '../src/sandbox/server.js';
import { dataConverterOf } from '../src/temporal.js';
import { searchAttributes, workflowIds } from '../workflows/definitions.js';
import type { weeklySummaryRunWorkflow } from '../workflows/summary.js';
import { startTemporalServer } from './lib/temporal-server.js';
import { freePort, repoRoot, step } from './lib/tools.js';

// `npm run summaries:load`: the weekly summary of 1,000 active users, end to end on this machine. Seeds the users
// (each with a deposit, half with an order, plus idle ones that must get nothing) into DATABASE_URL — by default
// a throwaway database, dropped afterwards — then runs weeklySummaryRunWorkflow on an in-process worker against
// a fresh Temporal dev server (in memory) and the provider sandbox, prints progress and the elapsed time, and
// fails unless every active user has exactly one summary.
//
//   npm run summaries:load -- --users 1000 --idle 200 --concurrency 20 --page-size 200

const { values: args } = parseArgs({
  options: {
    users: { type: 'string', default: '1000' },
    idle: { type: 'string', default: '200' },
    concurrency: { type: 'string' },
    'page-size': { type: 'string' },
    'keep-db': { type: 'boolean', default: false },
  },
});
const users = Number(args.users);
const idleUsers = Number(args.idle);

const adminUrl = process.env.LOAD_DATABASE_ADMIN_URL ?? 'postgresql://root@127.0.0.1:5432/postgres';
const throwaway = !process.env.DATABASE_URL;
const databaseUrl = process.env.DATABASE_URL ?? withDatabase(adminUrl, `fundflow_summaries_load_${Date.now()}`);

function withDatabase(url: string, name: string): string {
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
}

const cleanups: (() => Promise<unknown>)[] = [];
async function cleanUp(): Promise<void> {
  for (const cleanup of cleanups.reverse()) await cleanup().catch((e) => console.error('cleanup failed:', e));
}

/** Active users with one deposit each (funded) and every other one an order; idle approved users with nothing. */
async function seed(db: pg.Pool, runTag: string, weekStartDate: string): Promise<void> {
  const { start } = weekRange(weekStartDate);
  await db.query(
    `INSERT INTO users (auth_provider_id, kyc_status)
     SELECT $1 || '-active-' || g, 'approved'::kyc_status FROM generate_series(1, $2::int) g
     UNION ALL SELECT $1 || '-idle-' || g, 'approved'::kyc_status FROM generate_series(1, $3::int) g`,
    [runTag, users, idleUsers],
  );
  const active = `SELECT id FROM users WHERE auth_provider_id LIKE $1 || '-active-%'`;
  await db.query(`INSERT INTO balances (user_id, buying_power_usd) SELECT id, 0 FROM users WHERE auth_provider_id LIKE $1 || '-%'`, [
    runTag,
  ]);
  await db.query(
    `INSERT INTO wallets (user_id, chain, address, circle_wallet_id, status)
     SELECT id, 'ethereum', '0x' || substr(md5(id::text), 1, 40), 'load-' || id, 'active' FROM (${active}) u`,
    [runTag],
  );
  // Amounts vary per user (100.00 .. 1099.99) so each summary cites its own figures.
  await db.query(
    `INSERT INTO deposits (user_id, wallet_id, chain, tx_hash, amount_stablecoin, status, confirmed_at, broker_funded_at, created_at)
     SELECT w.user_id, w.id, 'ethereum', '0x' || md5(w.id::text) || md5(w.user_id::text),
            100 + (('x' || substr(md5(w.user_id::text), 1, 8))::bit(32)::bigint % 100000) / 100.0 + 0.004567,
            'broker_funded', $2::timestamptz + interval '1 day', $2::timestamptz + interval '1 day 1 hour', $2::timestamptz + interval '1 day'
     FROM wallets w JOIN (${active}) u ON u.id = w.user_id`,
    [runTag, start],
  );
  await db.query(
    `UPDATE balances b SET buying_power_usd = d.amount FROM
       (SELECT user_id, sum(trunc(amount_stablecoin, 2)) AS amount FROM deposits GROUP BY user_id) d
     WHERE d.user_id = b.user_id AND b.user_id IN (${active})`,
    [runTag],
  );
  await db.query(
    `WITH buyers AS (SELECT id, row_number() OVER (ORDER BY id) AS n FROM (${active}) u),
     placed AS (
       INSERT INTO orders (user_id, asset_type, side, amount_usd, status, alpaca_order_ref, created_at)
       SELECT id, 'etf', 'buy', 50.00, 'filled', 'load-' || id, $2::timestamptz + interval '2 days' FROM buyers WHERE n % 2 = 0
       RETURNING id, user_id)
     INSERT INTO order_legs (order_id, symbol, client_order_id, notional_usd, alpaca_order_ref, status, filled_quantity, filled_amount_usd, filled_avg_price)
     SELECT id, 'VTI', 'load-' || id, 50.00, 'load-' || id, 'filled', 0.2, 50.00, 250.00 FROM placed`,
    [runTag, start],
  );
}

async function main(): Promise<void> {
  const config = loadConfig({
    ...process.env,
    DATABASE_URL: databaseUrl,
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
    ...(args.concurrency ? { SUMMARY_CONCURRENCY: args.concurrency } : {}),
    ...(args['page-size'] ? { SUMMARY_PAGE_SIZE: args['page-size'] } : {}),
  });
  const logger = createLogger(config.LOG_LEVEL, 'summaries-load');
  Runtime.install({ logger: new DefaultLogger('WARN') });

  step(`database ${new URL(databaseUrl).pathname.slice(1)}${throwaway ? ' (throwaway)' : ''}`);
  await ensureDatabase(databaseUrl);
  if (throwaway && !args['keep-db']) cleanups.push(() => dropDatabase(databaseUrl));
  await migrate(databaseUrl);

  const weekStartDate = previousWeekStart(new Date());
  const runTag = `load-${Date.now().toString(36)}`;
  const pool = new pg.Pool({ connectionString: databaseUrl, max: 2 });
  cleanups.push(() => pool.end());
  step(`seeding ${users} active users with activity in the week of ${weekStartDate} (+${idleUsers} idle)`);
  await seed(pool, runTag, weekStartDate);

  step('starting the Temporal dev server (in memory) and the provider sandbox');
  const temporal = await startTemporalServer({ port: await freePort(), quiet: true });
  cleanups.push(() => temporal.stop());
  const sandbox = await startSandbox({ port: 0, credentials: { openaiApiKey: config.OPENAI_API_KEY } });
  cleanups.push(() => sandbox.stop());
  const runConfig = { ...config, TEMPORAL_ADDRESS: temporal.address, OPENAI_BASE_URL: `${sandbox.url}/v1` };

  const db = createDb(databaseUrl, config.DATABASE_POOL_SIZE);
  cleanups.push(() => db.$disconnect());
  const nativeConnection = await NativeConnection.connect({ address: temporal.address });
  cleanups.push(() => nativeConnection.close());
  const worker = await Worker.create({
    connection: nativeConnection,
    dataConverter: dataConverterOf(runConfig),
    taskQueue: config.TEMPORAL_TASK_QUEUE,
    workflowsPath: path.join(repoRoot, 'workflows/index.ts'),
    activities: createActivities({ db, providers: createProviders(runConfig, logger), config: runConfig, logger }),
    maxConcurrentWorkflowTaskExecutions: config.WORKER_MAX_CONCURRENT_WORKFLOW_TASKS,
    maxConcurrentActivityTaskExecutions: config.WORKER_MAX_CONCURRENT_ACTIVITIES,
    maxCachedWorkflows: config.WORKER_MAX_CACHED_WORKFLOWS,
  });
  const running = worker.run();
  cleanups.push(async () => {
    worker.shutdown();
    await running;
  });

  const connection = await Connection.connect({ address: temporal.address });
  cleanups.push(() => connection.close());
  const client = new Client({ connection, dataConverter: dataConverterOf(runConfig) });

  step(`running weeklySummaryRunWorkflow: concurrency ${config.SUMMARY_CONCURRENCY}, page size ${config.SUMMARY_PAGE_SIZE}`);
  const started = performance.now();
  const handle = await client.workflow.start<typeof weeklySummaryRunWorkflow>('weeklySummaryRunWorkflow', {
    workflowId: workflowIds.summaryRun(weekStartDate),
    taskQueue: config.TEMPORAL_TASK_QUEUE,
    args: [{ weekStartDate, concurrency: config.SUMMARY_CONCURRENCY, pageSize: config.SUMMARY_PAGE_SIZE }],
    typedSearchAttributes: [{ key: searchAttributes.kind, value: 'summary' }],
  });
  const countSummaries = async () =>
    Number((await pool.query(`SELECT count(*) FROM ai_summaries WHERE week_start_date = $1::date`, [weekStartDate])).rows[0].count);
  const progress = setInterval(() => {
    void countSummaries().then((n) => {
      const seconds = (performance.now() - started) / 1000;
      step(`${n}/${users} summaries after ${seconds.toFixed(1)} s (${(n / seconds).toFixed(1)}/s)`);
    });
  }, 2_000);
  const result = await handle.result().finally(() => clearInterval(progress));
  const elapsedSeconds = (performance.now() - started) / 1000;

  const summaries = await countSummaries();
  const { rows: duplicated } = await pool.query(
    `SELECT user_id FROM ai_summaries WHERE week_start_date = $1::date GROUP BY user_id HAVING count(*) > 1`,
    [weekStartDate],
  );
  const { rows: idleSummarised } = await pool.query(
    `SELECT count(*)::int AS n FROM ai_summaries s JOIN users u ON u.id = s.user_id WHERE u.auth_provider_id LIKE $1 || '-idle-%'`,
    [runTag],
  );
  step(
    `run ${result.weekStartDate}: ${result.processed} users processed, ${result.failed} failed; ` +
      `${summaries} summaries in ${elapsedSeconds.toFixed(1)} s (${(summaries / elapsedSeconds).toFixed(1)} users/s)`,
  );
  const ok = summaries === users && duplicated.length === 0 && idleSummarised[0].n === 0 && result.failed === 0;
  if (!ok) {
    process.exitCode = 1;
    step(`FAILED: expected ${users} summaries, one per active user, none for idle users`);
  } else step(`verified: ${users} active users have exactly one summary each; idle users have none`);
}

async function dropDatabase(url: string): Promise<void> {
  const name = decodeURIComponent(new URL(url).pathname.slice(1));
  const admin = new pg.Client({ connectionString: withDatabase(url, 'postgres') });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${pg.escapeIdentifier(name)} WITH (FORCE)`);
  await admin.end();
}

try {
  await main();
} catch (error) {
  process.exitCode = 1;
  console.error(error);
} finally {
  await cleanUp();
}
