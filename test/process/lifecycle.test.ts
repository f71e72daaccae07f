import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { freePort } from '../../scripts/lib/tools.js';
import { startSandbox, type Sandbox } from '../../src/sandbox/server.js';
import { weeklySummaryScheduleId } from '../../src/schedules/weekly-summary.js';

// worker.ts and server.ts as the operating system runs them: real processes, JSON logs, readiness that tells
// the truth about PostgreSQL and Temporal, and a graceful exit on SIGTERM.

const root = path.resolve(import.meta.dirname, '../..');

interface Started {
  child: ChildProcess;
  output: string[];
  exit: Promise<number | null>;
}

function start(script: string, env: NodeJS.ProcessEnv): Started {
  const child = spawn(process.execPath, ['--import', 'tsx', script], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
  const output: string[] = [];
  child.stdout!.on('data', (d: Buffer) => output.push(...d.toString().split('\n').filter(Boolean)));
  child.stderr!.on('data', (d: Buffer) => output.push(...d.toString().split('\n').filter(Boolean)));
  const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, output, exit };
}

/** The HTTP status, or 0 while nothing listens yet. */
async function status(url: string): Promise<number> {
  return fetch(url).then(
    (r) => r.status,
    () => 0,
  );
}

/** Polls over HTTP rather than probing the TCP port, which a busy machine can briefly hand to someone else. */
async function listening(url: string): Promise<void> {
  await expect.poll(() => status(url), { timeout: 90_000, interval: 250 }).not.toBe(0);
}

describe('the API and worker processes', () => {
  let sandbox: Sandbox;
  let env: NodeJS.ProcessEnv;
  let apiPort: number;
  let workerPort: number;

  beforeAll(async () => {
    sandbox = await startSandbox({ port: 0 });
    apiPort = await freePort();
    workerPort = await freePort();
    env = {
      ...process.env,
      NODE_ENV: 'test',
      LOG_LEVEL: 'info',
      DATABASE_URL: inject('databaseUrl'),
      TEMPORAL_ADDRESS: inject('temporalAddress'),
      TEMPORAL_TASK_QUEUE: `lifecycle-${process.pid}`,
      HTTP_PORT: String(apiPort),
      API_INTERNAL_PORT: '0',
      WORKER_HTTP_PORT: String(workerPort),
      WORKER_SDK_METRICS_PORT: '0',
      AUTH_JWT_SECRET: 'lifecycle-secret',
      CIRCLE_WALLETS_BASE_URL: sandbox.url,
      CIRCLE_MINT_BASE_URL: sandbox.url,
      ALPACA_TRADING_BASE_URL: sandbox.url,
      ALPACA_BROKER_BASE_URL: sandbox.url,
      OPENAI_BASE_URL: `${sandbox.url}/v1`,
    };
  });
  afterAll(() => sandbox?.stop());

  it('the API is ready when PostgreSQL and Temporal answer, logs JSON, and drains on SIGTERM', async () => {
    const api = start('server.ts', env);
    try {
      await listening(`http://127.0.0.1:${apiPort}/healthz`);
      expect(await status(`http://127.0.0.1:${apiPort}/healthz`)).toBe(200);
      expect(await status(`http://127.0.0.1:${apiPort}/readyz`)).toBe(200);

      // A request in flight when SIGTERM arrives still gets its answer.
      const inFlight = fetch(`http://127.0.0.1:${apiPort}/readyz`);
      api.child.kill('SIGTERM');
      expect((await inFlight).status).toBe(200);
      expect(await api.exit).toBe(0);
      expect(await status(`http://127.0.0.1:${apiPort}/healthz`)).toBe(0);
      const lines = api.output.filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as { msg: string; level: number });
      expect(lines.map((l) => l.msg)).toEqual(expect.arrayContaining(['api listening', 'api stopped']));
    } finally {
      api.child.kill('SIGKILL');
    }
  });

  it('the API is not ready while PostgreSQL does not answer', async () => {
    const port = await freePort();
    const api = start('server.ts', { ...env, HTTP_PORT: String(port), DATABASE_URL: 'postgresql://root@127.0.0.1:1/nowhere' });
    try {
      await listening(`http://127.0.0.1:${port}/healthz`);
      expect(await status(`http://127.0.0.1:${port}/healthz`)).toBe(200);
      expect(await status(`http://127.0.0.1:${port}/readyz`)).toBe(503);
    } finally {
      api.child.kill('SIGKILL');
    }
  });

  it('the worker ensures the weekly summary schedule, is ready once it polls Temporal, and stops cleanly on SIGTERM', async () => {
    const worker = start('worker.ts', env);
    try {
      await listening(`http://127.0.0.1:${workerPort}/healthz`);
      await expect.poll(() => status(`http://127.0.0.1:${workerPort}/readyz`), { timeout: 30_000 }).toBe(200);
      const client = new Client({ connection: await Connection.connect({ address: inject('temporalAddress') }) });
      const schedule = await client.schedule.getHandle(weeklySummaryScheduleId).describe();
      expect(schedule.action).toMatchObject({ workflowType: 'weeklySummaryRunWorkflow', taskQueue: env.TEMPORAL_TASK_QUEUE });
      await client.connection.close();
      worker.child.kill('SIGTERM');
      expect(await worker.exit).toBe(0);
      expect(worker.output.some((l) => l.includes('"worker stopped"'))).toBe(true);
    } finally {
      worker.child.kill('SIGKILL');
    }
  });

  it('a worker serving some task queues polls those only, with a readiness check for each, and drains them on SIGTERM', async () => {
    const port = await freePort();
    const worker = start('worker.ts', { ...env, WORKER_HTTP_PORT: String(port), WORKER_TASK_QUEUES: 'circle,alpaca' });
    try {
      await listening(`http://127.0.0.1:${port}/healthz`);
      await expect.poll(() => status(`http://127.0.0.1:${port}/readyz`), { timeout: 30_000 }).toBe(200);
      const ready = (await (await fetch(`http://127.0.0.1:${port}/readyz`)).json()) as { checks: Record<string, string> };
      expect(ready.checks).toEqual({ postgres: 'ok', 'temporal:circle': 'ok', 'temporal:alpaca': 'ok' });
      const started = worker.output
        .map((l) => (l.startsWith('{') ? (JSON.parse(l) as { msg: string; taskQueues?: string[] }) : undefined))
        .find((l) => l?.msg === 'worker started');
      expect(started?.taskQueues).toEqual([`${env.TEMPORAL_TASK_QUEUE}-circle`, `${env.TEMPORAL_TASK_QUEUE}-alpaca`]);
      worker.child.kill('SIGTERM');
      expect(await worker.exit).toBe(0);
    } finally {
      worker.child.kill('SIGKILL');
    }
  });
});
