import '../src/load-env.js';
import { execFileSync, fork } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, symlinkSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { signDevToken } from '../src/api/dev-token.js';
import { loadConfig } from '../src/config.js';
import { createDb, Prisma } from '../src/db/client.js';
import { ensureDatabase, migrate } from '../src/db/migrate.js';
import { requestHash } from '../src/api/idempotency.js';
import { closedLoop, type LoadRequest } from './lib/http-load.js';
import { freePort, step } from '../scripts/lib/tools.js';
import { table } from '../scripts/lib/stats.js';

// `npm run bench:api-quick`: GET /healthz against GET /v1/deposits/{id}, a deposit reported again (the caller, the
// deposit by its transaction; the narrow rate-limit bucket) and a replayed POST /v1/orders on the real
// app in a process of its own (bench/processes/api-alone.ts) over a scratch database, without Temporal: the API's
// CPU per request of each, from /proc, in a few alternating closed-loop rounds (the first is a warm-up). Half a
// minute, for an A/B of a change to the read path before the full `BENCH_ONLY=api` run (BENCH_QUICK_AGAINST, below).
// CPU_PROFILE_DIR: the API writes a V8 profile there, and phases.json says which route ran when.

const databaseUrl = process.env.BENCH_QUICK_DATABASE_URL ?? 'postgresql://root@127.0.0.1:5432/fundflow_api_quick';
const rounds = Number(process.env.BENCH_QUICK_ROUNDS ?? 4);
const env = {
  NODE_ENV: 'development',
  LOG_LEVEL: 'error',
  DATABASE_URL: databaseUrl,
  AUTH_JWT_SECRET: 'api-quick-secret',
  TEMPORAL_ADDRESS: '127.0.0.1:1',
  RATE_LIMIT_ENABLED: 'true',
  RATE_LIMIT_PER_ADDRESS: '1000000000',
  RATE_LIMIT_PER_USER: '1000000000',
  RATE_LIMIT_DEPOSIT_REPORTS_PER_USER: '1000000000',
};
const config = loadConfig(env);
step(`scratch database ${new URL(databaseUrl).pathname.slice(1)}`);
await ensureDatabase(databaseUrl);
await migrate(databaseUrl, { log: () => {} });
const db = createDb(databaseUrl, 2);
// Users each with a deposit and a replayed order (the row and its key as the accept step writes them, so POST
// /v1/orders with that key and body answers the order and starts nothing, no Temporal needed). The requests take
// them in turn: concurrent reads are of different users' rows, as in production, not one row many times.
const orderBody = { assetType: 'stock', side: 'buy', amountUsd: '10.00', symbol: 'VTI' };
const users = await Promise.all(
  Array.from({ length: Number(process.env.BENCH_QUICK_USERS ?? 20) }, async (_, i) => {
    const subject = `api-quick|${Date.now()}|${i}`;
    const user = await db.user.create({ data: { authProviderId: subject } });
    const wallet = await db.wallet.create({
      data: {
        userId: user.id,
        chain: 'ethereum',
        address: `0x${randomBytes(20).toString('hex')}`,
        circleWalletId: subject,
        status: 'active',
      },
    });
    const deposit = await db.deposit.create({
      data: {
        userId: user.id,
        walletId: wallet.id,
        chain: 'ethereum',
        txHash: `0x${randomBytes(32).toString('hex')}`,
        amountStablecoin: new Prisma.Decimal('10'),
      },
    });
    const order = await db.order.create({
      data: { userId: user.id, assetType: 'stock', side: 'buy', amountUsd: new Prisma.Decimal('10.00'), status: 'accepted_by_broker' },
    });
    await db.orderLeg.create({
      data: {
        orderId: order.id,
        symbol: 'VTI',
        clientOrderId: `api-quick-${order.id}`,
        notionalUsd: new Prisma.Decimal('10.00'),
        status: 'accepted_by_broker',
      },
    });
    await db.idempotencyKey.create({
      data: {
        userId: user.id,
        key: 'api-quick',
        requestHash: requestHash('POST', '/v1/orders', orderBody),
        resourceType: 'order',
        resourceId: order.id,
      },
    });
    return { depositId: deposit.id, txHash: deposit.txHash, authorization: `Bearer ${await signDevToken(config, { subject })}` };
  }),
);

// BENCH_QUICK_AGAINST=<git revision>: that revision's app (a worktree under /tmp sharing this node_modules and
// generated client; kept for the next run, `git worktree remove` it when done) runs beside this tree's, on the same
// database, and every slice measures both in turn, so the machine's noise falls on both alike.
const against = process.env.BENCH_QUICK_AGAINST;
const variants: { label: string; cwd: string }[] = [{ label: 'this tree', cwd: process.cwd() }];
if (against) variants.push({ label: against, cwd: worktreeOf(against) });

function worktreeOf(revision: string): string {
  const dir = `/tmp/fundflow-api-quick-${execFileSync('git', ['rev-parse', '--short', revision], { encoding: 'utf8' }).trim()}`;
  if (!existsSync(dir)) {
    execFileSync('git', ['worktree', 'add', '--detach', dir, revision], { stdio: 'ignore' });
    symlinkSync(`${process.cwd()}/node_modules`, `${dir}/node_modules`);
    symlinkSync(`${process.cwd()}/src/generated`, `${dir}/src/generated`);
  }
  return dir;
}

const profile = process.env.CPU_PROFILE_DIR ? ['--cpu-prof', '--cpu-prof-dir', process.env.CPU_PROFILE_DIR] : [];
const apis = await Promise.all(
  variants.map(async ({ cwd }) => {
    const port = await freePort();
    const child = fork('bench/processes/api-alone.ts', {
      cwd,
      execArgv: ['--import', 'tsx', ...profile],
      env: { ...process.env, ...env, HTTP_PORT: String(port) },
    });
    await new Promise((resolve, reject) => {
      child.once('message', resolve);
      child.once('exit', (code) => reject(new Error(`the API in ${cwd} exited (${code}) before it listened`)));
    });
    return { child, baseUrl: `http://127.0.0.1:${port}` };
  }),
);
const cpuMs = async (pid: number) => {
  const fields = (await readFile(`/proc/${pid}/stat`, 'utf8')).split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10; // utime + stime, 100 ticks per second
};

const userOf = (i: number) => users[i % users.length]!;
const routes: Record<string, (i: number) => LoadRequest> = {
  'GET /healthz': () => ({ method: 'GET', path: '/healthz' }),
  'GET /v1/deposits/{id}': (i) => ({
    method: 'GET',
    path: `/v1/deposits/${userOf(i).depositId}`,
    headers: { authorization: userOf(i).authorization },
  }),
  'POST /v1/deposits (reported again)': (i) => ({
    method: 'POST',
    path: '/v1/deposits',
    headers: { authorization: userOf(i).authorization },
    body: JSON.stringify({ chain: 'ethereum', txHash: userOf(i).txHash }),
  }),
  'POST /v1/orders (replayed key)': (i) => ({
    method: 'POST',
    path: '/v1/orders',
    headers: { authorization: userOf(i).authorization, 'idempotency-key': 'api-quick' },
    body: JSON.stringify(orderBody),
  }),
};
const expectStatus: Record<string, number> = { 'POST /v1/orders (replayed key)': 202 };
const measured = new Map<string, { cpu: number[]; rps: number[] }>();
const slot = (route: string, variant: number) => {
  const id = `${route}\u0000${variant}`;
  if (!measured.has(id)) measured.set(id, { cpu: [], rps: [] });
  return measured.get(id)!;
};
// When profiled: each route's time span on the monotonic clock V8's profiles use, to split the profile by route.
const phases: { route: string; variant: string; round: number; requests: number; startUs: string; endUs: string }[] = [];
for (let round = 0; round < rounds; round++) {
  step(`round ${round + 1}/${rounds}${round === 0 ? ' (warm-up)' : ''}`);
  for (const [name, request] of Object.entries(routes)) {
    for (const [v, { child, baseUrl }] of apis.entries()) {
      const before = await cpuMs(child.pid!);
      const startedUs = process.hrtime.bigint() / 1000n;
      const run = await closedLoop({ baseUrl, request, expectStatus: expectStatus[name] ?? 200 }, { connections: 20, durationMs: 3000 });
      const spent = (await cpuMs(child.pid!)) - before;
      phases.push({
        route: name,
        variant: variants[v]!.label,
        round,
        requests: run.latencies.length,
        startUs: String(startedUs),
        endUs: String(process.hrtime.bigint() / 1000n),
      });
      if (run.errors > 0) throw new Error(`${name}: ${run.errors} answers other than ${expectStatus[name] ?? 200}`);
      if (round > 0) {
        slot(name, v).cpu.push(spent / run.latencies.length);
        slot(name, v).rps.push(run.latencies.length / run.seconds);
      }
    }
  }
}
for (const { child } of apis) {
  child.kill('SIGTERM');
  await new Promise((resolve) => child.once('exit', resolve));
}
await db.$disconnect();
if (process.env.CPU_PROFILE_DIR) await writeFile(`${process.env.CPU_PROFILE_DIR}/phases.json`, JSON.stringify(phases));

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const rows = variants.flatMap(({ label }, v) => {
  const healthz = slot('GET /healthz', v);
  return Object.keys(routes).map((name) => {
    const m = slot(name, v);
    return [
      label,
      name,
      median(m.rps).toFixed(0),
      median(m.cpu).toFixed(3),
      (median(m.rps) / median(healthz.rps)).toFixed(2),
      (median(healthz.cpu) / median(m.cpu)).toFixed(2),
    ];
  });
});
process.stdout.write(`\n${table(['app', 'route', 'req/s', 'API CPU ms/req', 'vs /healthz by req/s', 'vs /healthz by CPU'], rows)}\n`);
