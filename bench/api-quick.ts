import '../src/load-env.js';
import { fork } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { signDevToken } from '../src/api/dev-token.js';
import { loadConfig } from '../src/config.js';
import { createDb, Prisma } from '../src/db/client.js';
import { ensureDatabase, migrate } from '../src/db/migrate.js';
import { closedLoop } from './lib/http-load.js';
import { freePort, step } from '../scripts/lib/tools.js';
import { table } from '../scripts/lib/stats.js';

// `npm run bench:api-quick`: GET /healthz against GET /v1/deposits/{id} on the real app in a process of its own
// (bench/processes/api-alone.ts) over a scratch database, without Temporal: the API's CPU per request of each,
// from /proc, in a few alternating closed-loop rounds (the first is a warm-up). Half a minute, for an A/B of a change
// to the read path before the full `BENCH_ONLY=api` run. CPU_PROFILE_DIR: the API writes a V8 profile there.

const databaseUrl = process.env.BENCH_QUICK_DATABASE_URL ?? 'postgresql://root@127.0.0.1:5432/fundflow_api_quick';
const rounds = Number(process.env.BENCH_QUICK_ROUNDS ?? 4);
const port = await freePort();
const env = {
  NODE_ENV: 'development',
  LOG_LEVEL: 'error',
  DATABASE_URL: databaseUrl,
  HTTP_PORT: String(port),
  AUTH_JWT_SECRET: 'api-quick-secret',
  TEMPORAL_ADDRESS: '127.0.0.1:1',
  RATE_LIMIT_ENABLED: 'true',
  RATE_LIMIT_PER_ADDRESS: '1000000000',
  RATE_LIMIT_PER_USER: '1000000000',
};
const config = loadConfig(env);
step(`scratch database ${new URL(databaseUrl).pathname.slice(1)}`);
await ensureDatabase(databaseUrl);
await migrate(databaseUrl, { log: () => {} });
const db = createDb(databaseUrl, 2);
const subject = `api-quick|${Date.now()}`;
const user = await db.user.create({ data: { authProviderId: subject } });
const wallet = await db.wallet.create({
  data: {
    userId: user.id,
    chain: 'ethereum',
    address: `0x${Date.now().toString(16).padStart(40, '0')}`,
    circleWalletId: subject,
    status: 'active',
  },
});
const deposit = await db.deposit.create({
  data: { userId: user.id, walletId: wallet.id, chain: 'ethereum', txHash: `0x${Date.now()}`, amountStablecoin: new Prisma.Decimal('10') },
});
const token = await signDevToken(config, { subject });

const profile = process.env.CPU_PROFILE_DIR ? ['--cpu-prof', '--cpu-prof-dir', process.env.CPU_PROFILE_DIR] : [];
const api = fork('bench/processes/api-alone.ts', { execArgv: ['--import', 'tsx', ...profile], env: { ...process.env, ...env } });
await new Promise((resolve, reject) => {
  api.once('message', resolve);
  api.once('exit', (code) => reject(new Error(`the API exited (${code}) before it listened`)));
});
const cpuMs = async () => {
  const fields = (await readFile(`/proc/${api.pid}/stat`, 'utf8')).split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10; // utime + stime, 100 ticks per second
};

const routes = {
  'GET /healthz': { method: 'GET' as const, path: '/healthz' },
  'GET /v1/deposits/{id}': { method: 'GET' as const, path: `/v1/deposits/${deposit.id}`, headers: { authorization: `Bearer ${token}` } },
};
const measured = Object.fromEntries(Object.keys(routes).map((name) => [name, { cpu: [] as number[], rps: [] as number[] }]));
for (let round = 0; round < rounds; round++) {
  step(`round ${round + 1}/${rounds}${round === 0 ? ' (warm-up)' : ''}`);
  for (const [name, request] of Object.entries(routes)) {
    const before = await cpuMs();
    const run = await closedLoop(
      { baseUrl: `http://127.0.0.1:${port}`, request: () => request, expectStatus: 200 },
      { connections: 20, durationMs: 3000 },
    );
    const spent = (await cpuMs()) - before;
    if (run.errors > 0) throw new Error(`${name}: ${run.errors} answers other than 200`);
    if (round > 0) {
      measured[name]!.cpu.push(spent / run.latencies.length);
      measured[name]!.rps.push(run.latencies.length / run.seconds);
    }
  }
}
api.kill('SIGTERM');
await new Promise((resolve) => api.once('exit', resolve));
await db.$disconnect();

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const healthz = measured['GET /healthz']!;
const rows = Object.entries(measured).map(([name, m]) => [
  name,
  median(m.rps).toFixed(0),
  median(m.cpu).toFixed(3),
  (median(m.rps) / median(healthz.rps)).toFixed(2),
  (median(healthz.cpu) / median(m.cpu)).toFixed(2),
]);
process.stdout.write(`\n${table(['route', 'req/s', 'API CPU ms/req', 'vs /healthz by req/s', 'vs /healthz by CPU'], rows)}\n`);
