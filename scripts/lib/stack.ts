import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import pg from 'pg';
import { signDevToken } from '../../src/api/dev-token.js';
import { loadConfig, type Config } from '../../src/config.js';
import { createDb, type Db } from '../../src/db/client.js';
import { ensureDatabase, migrate } from '../../src/db/migrate.js';
import { SandboxControl } from '../../src/sandbox/client.js';
import { dataConverterOf } from '../../src/temporal.js';
import { startTemporalServer } from './temporal-server.js';
import { freePort, repoRoot, step, stopProcess, waitForPort } from './tools.js';

// The whole stack as separate processes, the way it is deployed, for `npm run bench` and `npm run chaos`: a
// throwaway PostgreSQL database (migrated, dropped at the end), a Temporal dev server on a SQLite file with WAL
// and a fixed metrics port, the provider sandbox, a worker and the API. Each child's output goes to a log file
// under `logDir`; the orchestrator holds its own Prisma client, Temporal client and sandbox control client.

export interface ProcessStackOptions {
  /** Names the database and log folder. */
  name: string;
  /** The worker's entry point, relative to the repository (default worker.ts). */
  workerScript?: string;
  /** The API's entry point (default server.ts). */
  apiScript?: string;
  /** Environment for every child, on top of the stack's own. */
  env?: Record<string, string>;
  /** Temporal server dynamic config (the same for every phase of a run). */
  temporalDynamicConfig?: Record<string, string>;
}

export interface ProcessStack {
  config: Config;
  apiUrl: string;
  db: Db;
  client: Client;
  sandbox: SandboxControl;
  logDir: string;
  /** A bearer token for a user (by auth subject) or an operator. */
  token(subject: string, options?: { operator?: boolean }): Promise<string>;
  /** The process id of each child that is running now (temporal, sandbox, worker, api). */
  pids(): Record<string, number>;
  /** SIGKILLs the worker: no drain, no goodbye. */
  killWorker(): Promise<void>;
  /** Whether the worker process is running (it may exit on its own, e.g. when Temporal is gone too long). */
  workerRunning(): boolean;
  /** Stops the Temporal server and starts it again on the same port and SQLite file (its store kept). */
  restartTemporal(): Promise<void>;
  /** Starts the worker again and waits until it is ready. */
  startWorker(): Promise<void>;
  stop(): Promise<void>;
}

const adminUrl = process.env.BENCH_ADMIN_DATABASE_URL ?? 'postgresql://root@127.0.0.1:5432/postgres';

function databaseUrl(name: string): string {
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

async function dropDatabase(name: string): Promise<void> {
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  } finally {
    await admin.end();
  }
}

async function waitReady(url: string, child: ChildProcess, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`${url}: the process exited with ${child.exitCode} (see its log)`);
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`${url} did not become ready within ${timeoutMs} ms`);
}

export async function startProcessStack(options: ProcessStackOptions): Promise<ProcessStack> {
  const stamp = new Date().toISOString().replace(/\D/g, '').slice(0, 14);
  const dbName = `fundflow_${options.name}_${stamp}`;
  const tmp = await mkdtemp(path.join(os.tmpdir(), `fundflow-${options.name}-`));
  const logDir = path.join(tmp, 'logs');
  await mkdir(logDir, { recursive: true });

  const [temporalPort, metricsPort, sandboxPort, apiPort, workerPort] = await Promise.all([
    freePort(), freePort(), freePort(), freePort(), freePort(),
  ]);
  const env: Record<string, string> = {
    NODE_ENV: 'development',
    LOG_LEVEL: 'warn',
    DATABASE_URL: databaseUrl(dbName),
    TEMPORAL_ADDRESS: `127.0.0.1:${temporalPort}`,
    TEMPORAL_TASK_QUEUE: 'fundflow',
    HTTP_PORT: String(apiPort),
    API_INTERNAL_PORT: '0',
    WORKER_HTTP_PORT: String(workerPort),
    WORKER_SDK_METRICS_PORT: '0',
    AUTH_JWT_SECRET: `${options.name}-secret`,
    SANDBOX_PORT: String(sandboxPort),
    SANDBOX_WEBHOOK_URL: `http://127.0.0.1:${apiPort}/v1/webhooks/circle`,
    ...Object.fromEntries(
      ['CIRCLE_WALLETS_BASE_URL', 'CIRCLE_MINT_BASE_URL', 'ALPACA_TRADING_BASE_URL', 'ALPACA_BROKER_BASE_URL'].map((k) => [
        k,
        `http://127.0.0.1:${sandboxPort}`,
      ]),
    ),
    OPENAI_BASE_URL: `http://127.0.0.1:${sandboxPort}/v1`,
    // The SDK's client-side budget models Alpaca's real limit; a load test on the sandbox would only measure it.
    ALPACA_RATE_LIMIT_PER_MINUTE: '1000000',
    // Encrypted payloads, as in production: a fresh key per run, handed to every child.
    TEMPORAL_PAYLOAD_KEYS: `${options.name}:${randomBytes(32).toString('base64')}`,
    ...options.env,
  };
  const config = loadConfig(env);

  step(`database ${dbName}`);
  await ensureDatabase(config.DATABASE_URL);
  await migrate(config.DATABASE_URL, { log: () => {} });

  step(`Temporal dev server on :${temporalPort} (SQLite file + WAL, metrics :${metricsPort})`);
  const startTemporal = () =>
    startTemporalServer({
      port: temporalPort,
      metricsPort,
      dbFile: path.join(tmp, 'temporal.db'),
      quiet: true,
      dynamicConfig: options.temporalDynamicConfig,
    });
  let temporal = await startTemporal();

  const children = new Map<string, ChildProcess>();
  function spawnChild(name: string, script: string): ChildProcess {
    const log = createWriteStream(path.join(logDir, `${name}.log`), { flags: 'a' });
    // CPU_PROFILE_DIR: each child writes a V8 CPU profile there when it exits (open it in Chrome DevTools).
    const profile = process.env.CPU_PROFILE_DIR ? ['--cpu-prof', `--cpu-prof-dir=${process.env.CPU_PROFILE_DIR}`, `--cpu-prof-name=${name}-${Date.now()}.cpuprofile`] : [];
    const child = spawn(process.execPath, [...profile, '--import', 'tsx', script], {
      cwd: repoRoot,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout!.pipe(log, { end: false });
    child.stderr!.pipe(log, { end: false });
    children.set(name, child);
    return child;
  }

  const stopAll = async () => {
    await Promise.all([...children.values()].map((c) => stopProcess(c, 35_000)));
    await temporal.stop();
  };
  const workerScript = options.workerScript ?? 'worker.ts';
  const startWorker = async () => {
    const child = spawnChild('worker', workerScript);
    await waitReady(`http://127.0.0.1:${workerPort}/readyz`, child);
  };
  try {
    spawnChild('sandbox', 'src/sandbox/main.ts');
    await waitForPort(sandboxPort);
    const apiChild = spawnChild('api', options.apiScript ?? 'server.ts');
    await Promise.all([startWorker(), waitReady(`http://127.0.0.1:${apiPort}/readyz`, apiChild)]);
  } catch (error) {
    await stopAll();
    await dropDatabase(dbName);
    throw new Error(`the stack did not start (logs in ${logDir})`, { cause: error });
  }
  step(`sandbox, worker and API ready (logs in ${logDir})`);

  const db = createDb(config.DATABASE_URL, 8);
  const connection = await Connection.connect({ address: config.TEMPORAL_ADDRESS });
  const client = new Client({ connection, namespace: config.TEMPORAL_NAMESPACE, dataConverter: dataConverterOf(config) });

  return {
    config,
    apiUrl: `http://127.0.0.1:${apiPort}`,
    db,
    client,
    sandbox: new SandboxControl(`http://127.0.0.1:${sandboxPort}`),
    logDir,
    pids() {
      const running = [['temporal', temporal.process] as const, ...children.entries()].filter(([, c]) => c.exitCode === null && c.pid);
      return Object.fromEntries(running.map(([name, c]) => [name, c.pid!]));
    },
    token: (subject, o = {}) => signDevToken(config, { subject, operator: o.operator }),
    async killWorker() {
      const worker = children.get('worker');
      if (!worker || worker.exitCode !== null || worker.signalCode !== null) return;
      const exited = new Promise((resolve) => worker.once('exit', resolve));
      worker.kill('SIGKILL');
      await exited;
    },
    startWorker,
    workerRunning() {
      const worker = children.get('worker');
      return !!worker && worker.exitCode === null && worker.signalCode === null;
    },
    async restartTemporal() {
      await temporal.stop();
      temporal = await startTemporal();
    },
    async stop() {
      await connection.close();
      await db.$disconnect();
      await stopAll();
      await dropDatabase(dbName);
      await rm(path.join(tmp, 'temporal.db'), { force: true });
    },
  };
}
