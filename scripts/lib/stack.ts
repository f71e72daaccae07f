import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
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
import { dataConverterOf, temporalConnectionOptions } from '../../src/temporal.js';
import { dropTemporalDatabases } from './temporal-full-server.js';
import { startTemporalServer, temporalTopology, type TemporalTopology } from './temporal-server.js';
import { freePort, repoRoot, step, stopProcess, waitForPort } from './tools.js';

// The whole stack as separate processes, the way it is deployed, for `npm run bench` and `npm run chaos`: a
// throwaway PostgreSQL database (migrated, dropped at the end), a Temporal dev server on a SQLite file with WAL
// (or the full Temporal server on PostgreSQL, TEMPORAL_TOPOLOGY=server) and a fixed metrics port, the provider sandbox, the worker(s) and the API(s) (one of each by default; several
// share the one Temporal and the one database, as replicas do). Each child's output goes to a log file under
// `logDir`; the orchestrator holds its own Prisma client, Temporal client and sandbox control client.

export interface ProcessStackOptions {
  /** Names the database and log folder. */
  name: string;
  /** The worker's entry point, relative to the repository (default worker.ts). */
  workerScript?: string;
  /** The API's entry point (default server.ts). */
  apiScript?: string;
  /** Environment for every child, on top of the stack's own. */
  env?: Record<string, string>;
  /**
   * `dev`: the Temporal dev server on a SQLite file; `server`: the full Temporal server on two throwaway databases
   * of the same PostgreSQL, dropped at the end (docs/temporal-server.md). Default TEMPORAL_TOPOLOGY, else dev.
   */
  temporalTopology?: TemporalTopology;
  /** Temporal server dynamic config (the same for every phase of a run). */
  temporalDynamicConfig?: Record<string, string>;
  /** How many worker processes and API processes (default 1 each). */
  workers?: number;
  apis?: number;
}

export interface ProcessStack {
  config: Config;
  /** The first API's URL; every API's in apiUrls. */
  apiUrl: string;
  apiUrls: string[];
  /** Each API's internal listener (/metrics, /readyz with details). */
  apiInternalUrls: string[];
  /** Each worker's health/metrics listener (/readyz, /metrics). */
  workerUrls: string[];
  db: Db;
  client: Client;
  sandbox: SandboxControl;
  logDir: string;
  /** A bearer token for a user (by auth subject) or an operator. */
  token(subject: string, options?: { operator?: boolean }): Promise<string>;
  /** The process id of each child that is running now (temporal, sandbox, worker, worker2, …, api, api2, …). */
  pids(): Record<string, number>;
  /** SIGKILLs a worker (the first by default): no drain, no goodbye. */
  killWorker(index?: number): Promise<void>;
  /** Whether a worker process is running (it may exit on its own, e.g. when Temporal is gone too long). */
  workerRunning(index?: number): boolean;
  /** Stops the Temporal server and starts it again on the same port and SQLite file (its store kept). */
  restartTemporal(): Promise<void>;
  /** Starts a worker again and waits until it is ready. */
  startWorker(index?: number): Promise<void>;
  /** SIGKILLs an API process; startApi starts it again on the same port and waits until it is ready. */
  killApi(index?: number): Promise<void>;
  startApi(index?: number): Promise<void>;
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

/** The end of each child's output, kept in memory: why a child did not start belongs in the error (CI's scratch folders are gone). */
const outputTails = new WeakMap<ChildProcess, { text: string }>();

function keepOutputTail(child: ChildProcess): void {
  const tail = { text: '' };
  outputTails.set(child, tail);
  for (const stream of [child.stdout, child.stderr])
    stream?.on('data', (chunk: Buffer) => (tail.text = (tail.text + chunk.toString()).slice(-6000)));
}

async function outputTailOf(child: ChildProcess): Promise<string> {
  // Of a child that exited, wait for 'close' (its output streams ended), so nothing it wrote is missing.
  const exited = child.exitCode !== null || child.signalCode !== null;
  if (exited && child.stdout && !child.stdout.readableEnded) await once(child, 'close');
  return outputTails.get(child)?.text.trimEnd() ?? '';
}

async function waitReady(url: string, child: ChildProcess, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) {
      throw new Error(`${url}: the process exited with ${child.exitCode}; the end of its output:\n${await outputTailOf(child)}`);
    }
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`${url} did not become ready within ${timeoutMs} ms; the end of its output:\n${await outputTailOf(child)}`);
}

export async function startProcessStack(options: ProcessStackOptions): Promise<ProcessStack> {
  const stamp = new Date().toISOString().replace(/\D/g, '').slice(0, 14);
  const dbName = `fundflow_${options.name}_${stamp}`;
  const tmp = await mkdtemp(path.join(os.tmpdir(), `fundflow-${options.name}-`));
  const logDir = path.join(tmp, 'logs');
  await mkdir(logDir, { recursive: true });

  const [temporalPort, metricsPort, sandboxPort] = await Promise.all([freePort(), freePort(), freePort()]);
  const apiPorts = await Promise.all(Array.from({ length: options.apis ?? 1 }, () => freePort()));
  const apiInternalPorts = await Promise.all(apiPorts.map(() => freePort()));
  const workerPorts = await Promise.all(Array.from({ length: options.workers ?? 1 }, () => freePort()));
  const [apiPort] = apiPorts as [number];
  const env: Record<string, string> = {
    NODE_ENV: 'development',
    LOG_LEVEL: 'warn',
    DATABASE_URL: databaseUrl(dbName),
    TEMPORAL_ADDRESS: `127.0.0.1:${temporalPort}`,
    TEMPORAL_TASK_QUEUE: 'fundflow',
    HTTP_PORT: String(apiPort),
    API_INTERNAL_PORT: '0',
    WORKER_HTTP_PORT: String(workerPorts[0]),
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
    // Nor do the provider task queues' rate limits (the providers' published limits) model the sandbox.
    WORKER_CIRCLE_ACTIVITIES_PER_SECOND: '0',
    WORKER_ALPACA_ACTIVITIES_PER_SECOND: '0',
    WORKER_OPENAI_ACTIVITIES_PER_SECOND: '0',
    // Encrypted payloads, as in production: a fresh key per run, handed to every child.
    TEMPORAL_PAYLOAD_KEYS: `${options.name}:${randomBytes(32).toString('base64')}`,
    ...options.env,
  };
  const config = loadConfig(env);

  step(`database ${dbName}`);
  await ensureDatabase(config.DATABASE_URL);
  await migrate(config.DATABASE_URL, { log: () => {} });

  const topology = options.temporalTopology ?? temporalTopology();
  // The full server's store survives restartTemporal(), as the dev server's SQLite file does; stop() drops it.
  const temporalStore = { postgresUrl: adminUrl, database: `temporal_${dbName}` };
  step(
    topology === 'server'
      ? `full Temporal server on :${temporalPort} (PostgreSQL ${temporalStore.database}, metrics :${metricsPort})`
      : `Temporal dev server on :${temporalPort} (SQLite file + WAL, metrics :${metricsPort})`,
  );
  const startTemporal = () =>
    startTemporalServer({
      topology,
      store: temporalStore,
      logFile: path.join(logDir, 'temporal.log'),
      port: temporalPort,
      metricsPort,
      dbFile: path.join(tmp, 'temporal.db'),
      quiet: true,
      dynamicConfig: options.temporalDynamicConfig,
    });
  let temporal = await startTemporal();

  const children = new Map<string, ChildProcess>();
  function spawnChild(name: string, script: string, childEnv: Record<string, string> = {}): ChildProcess {
    const log = createWriteStream(path.join(logDir, `${name}.log`), { flags: 'a' });
    // CPU_PROFILE_DIR: each child writes V8 CPU profiles into <dir>/<name>/ when it exits (open them in Chrome
    // DevTools): one per thread, the main thread's the largest (tsx's module loader has a thread of its own).
    const profile = process.env.CPU_PROFILE_DIR ? ['--cpu-prof', `--cpu-prof-dir=${path.join(process.env.CPU_PROFILE_DIR, name)}`] : [];
    const child = spawn(process.execPath, [...profile, '--import', 'tsx', script], {
      cwd: repoRoot,
      env: { ...process.env, ...env, ...childEnv },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout!.pipe(log, { end: false });
    child.stderr!.pipe(log, { end: false });
    keepOutputTail(child);
    children.set(name, child);
    return child;
  }

  const stopAll = async () => {
    await Promise.all([...children.values()].map((c) => stopProcess(c, 35_000)));
    await temporal.stop();
  };
  const workerScript = options.workerScript ?? 'worker.ts';
  // The first of each keeps its plain name (worker, api): its log file and pid entry are what they always were.
  const nameOf = (kind: 'worker' | 'api', index: number) => (index === 0 ? kind : `${kind}${index + 1}`);
  const portOf = (ports: number[], index: number) => {
    const port = ports[index];
    if (port === undefined) throw new Error(`there is no process ${index} of that kind (${ports.length} started)`);
    return port;
  };
  const startWorker = async (index = 0) => {
    const port = portOf(workerPorts, index);
    const child = spawnChild(nameOf('worker', index), workerScript, { WORKER_HTTP_PORT: String(port) });
    await waitReady(`http://127.0.0.1:${port}/readyz`, child);
  };
  const startApi = async (index = 0) => {
    const port = portOf(apiPorts, index);
    const child = spawnChild(nameOf('api', index), options.apiScript ?? 'server.ts', {
      HTTP_PORT: String(port),
      API_INTERNAL_PORT: String(apiInternalPorts[index]),
    });
    await waitReady(`http://127.0.0.1:${port}/readyz`, child);
  };
  const kill = async (name: string) => {
    const child = children.get(name);
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
  };
  const running = (name: string) => {
    const child = children.get(name);
    return !!child && child.exitCode === null && child.signalCode === null;
  };
  try {
    spawnChild('sandbox', 'src/sandbox/main.ts');
    await waitForPort(sandboxPort);
    await Promise.all([...workerPorts.map((_, i) => startWorker(i)), ...apiPorts.map((_, i) => startApi(i))]);
  } catch (error) {
    await stopAll();
    await dropDatabase(dbName);
    if (topology === 'server') await dropTemporalDatabases(temporalStore);
    throw new Error(`the stack did not start (logs in ${logDir})`, { cause: error });
  }
  step(`sandbox, ${workerPorts.length} worker(s) and ${apiPorts.length} API(s) ready (logs in ${logDir})`);

  const db = createDb(config.DATABASE_URL, 8);
  const connection = await Connection.connect(temporalConnectionOptions(config));
  const client = new Client({ connection, namespace: config.TEMPORAL_NAMESPACE, dataConverter: dataConverterOf(config) });

  return {
    config,
    apiUrl: `http://127.0.0.1:${apiPort}`,
    apiUrls: apiPorts.map((port) => `http://127.0.0.1:${port}`),
    apiInternalUrls: apiInternalPorts.map((port) => `http://127.0.0.1:${port}`),
    workerUrls: workerPorts.map((port) => `http://127.0.0.1:${port}`),
    db,
    client,
    sandbox: new SandboxControl(`http://127.0.0.1:${sandboxPort}`),
    logDir,
    pids() {
      const running = [['temporal', temporal.process] as const, ...children.entries()].filter(([, c]) => c.exitCode === null && c.pid);
      return Object.fromEntries(running.map(([name, c]) => [name, c.pid!]));
    },
    token: (subject, o = {}) => signDevToken(config, { subject, operator: o.operator }),
    killWorker: (index = 0) => kill(nameOf('worker', index)),
    startWorker,
    workerRunning: (index = 0) => running(nameOf('worker', index)),
    killApi: (index = 0) => kill(nameOf('api', index)),
    startApi,
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
      if (topology === 'server') await dropTemporalDatabases(temporalStore);
    },
  };
}
