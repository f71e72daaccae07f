import '../src/load-env.js';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { loadConfig } from '../src/config.js';
import { createDb } from '../src/db/client.js';
import { ensureDatabase, migrate } from '../src/db/migrate.js';
import { seed } from '../src/db/seed.js';
import { resolveDatabase, type Database } from './lib/postgres.js';
import { temporalTopology } from './lib/temporal-server.js';
import { startDevTemporal } from './temporal.js';
import { repoRoot, step, stopProcess, waitForPort } from './lib/tools.js';

// `npm run dev`: the whole stack on this machine — PostgreSQL (DATABASE_URL, else 127.0.0.1:5432, else an embedded
// one), the Temporal dev server (Web UI 8233), the provider sandbox (4010), the worker and the API (3000) and the
// codec server (3003) the Web UI decodes payloads with — each line of output prefixed with its process, until Ctrl-C.

// Payloads are encrypted in development as in production: a key made once and kept beside the persistent Temporal
// store in .data/ (git-ignored), so yesterday's histories stay readable. TEMPORAL_PAYLOAD_KEYS in the environment wins.
if (!process.env.TEMPORAL_PAYLOAD_KEYS) {
  const keyFile = path.join(repoRoot, '.data', 'payload-keys');
  await mkdir(path.dirname(keyFile), { recursive: true });
  const existing = await readFile(keyFile, 'utf8').catch(() => '');
  const keys = existing.trim() || `dev-1:${randomBytes(32).toString('base64')}`;
  if (!existing.trim()) await writeFile(keyFile, `${keys}\n`, { mode: 0o600 });
  process.env.TEMPORAL_PAYLOAD_KEYS = keys;
}
// A receiver for webhooks in development listens on this machine: allowed here, never in production.
process.env.WEBHOOK_ALLOW_PRIVATE_URLS ??= 'true';

let database: Database | undefined;
let shuttingDown = false;
let temporalStop: (() => Promise<void>) | undefined;
const children: ChildProcess[] = [];
async function shutdown(code = 0): Promise<void> {
  if (shuttingDown) return;
  shuttingDown = true;
  step('stopping…');
  await Promise.all(children.map((c) => stopProcess(c, 35_000)));
  await temporalStop?.();
  // Last: the embedded PostgreSQL runs in its own process group, so Ctrl-C reached only the processes above.
  await database?.stop();
  process.exit(code);
}
process.once('SIGINT', () => void shutdown());
process.once('SIGTERM', () => void shutdown());

try {
  database = await resolveDatabase({
    configuredUrl: process.env.DATABASE_URL,
    defaultUrl: loadConfig({}).DATABASE_URL,
    dataDir: path.join(repoRoot, '.data', 'postgres'),
  });
  step(database.message);
  process.env.DATABASE_URL = database.url;
} catch (error) {
  step(`PostgreSQL: ${(error as Error).message}`);
  process.exit(1);
}
const config = loadConfig();
const codecUrl = `http://${config.HTTP_HOST}:${config.CODEC_SERVER_PORT}`;
const colors = { sandbox: 35, worker: 33, api: 32, codec: 36 } as const;

function startProcess(name: keyof typeof colors, script: string): ChildProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', script], {
    cwd: repoRoot,
    env: process.env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const prefix = `\x1b[${colors[name]}m${name.padEnd(7)}\x1b[0m│ `;
  for (const stream of [child.stdout!, child.stderr!]) {
    let buffered = '';
    stream.on('data', (chunk: Buffer) => {
      const lines = (buffered + chunk.toString()).split('\n');
      buffered = lines.pop() ?? '';
      for (const line of lines) process.stdout.write(prefix + line + '\n');
    });
  }
  child.on('exit', (code, signal) => {
    if (!shuttingDown) step(`${name} exited (${signal ?? code}); stopping the stack`);
    void shutdown();
  });
  children.push(child);
  return child;
}

async function waitReady(url: string, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`${url} did not become ready in ${timeoutMs} ms`);
}

async function prepareDatabase(): Promise<void> {
  const target = new URL(config.DATABASE_URL);
  if (await ensureDatabase(config.DATABASE_URL)) step(`created database ${target.pathname.slice(1)}`);
  const { applied, alreadyApplied } = await migrate(config.DATABASE_URL, { log: () => {} });
  const db = createDb(config.DATABASE_URL, 1);
  try {
    const baskets = await seed(db);
    step(
      `database ${target.pathname.slice(1)}: ${applied.length} migrations applied, ${alreadyApplied.length} already there; ${baskets} baskets seeded`,
    );
  } finally {
    await db.$disconnect();
  }
}

try {
  await prepareDatabase();
  await startStack();
} catch (error) {
  step(`the stack did not start: ${(error as Error).stack ?? error}`);
  await shutdown(1);
}

async function startStack(): Promise<void> {
  // TEMPORAL_TOPOLOGY=server: the full Temporal server on this PostgreSQL instead (docs/temporal-server.md).
  const fullServer = temporalTopology() === 'server';
  step(
    fullServer
      ? 'starting the full Temporal server (PostgreSQL store and visibility, several history shards; it has no Web UI)'
      : 'starting the Temporal dev server (persistent in .data/)',
  );
  const temporal = await startDevTemporal({ uiCodecEndpoint: codecUrl, postgresUrl: database?.url });
  temporalStop = temporal.stop;
  step(`Temporal ${temporal.address}${temporal.uiUrl ? ` · Web UI ${temporal.uiUrl}` : ''}`);

  startProcess('sandbox', 'src/sandbox/main.ts');
  await waitForPort(config.SANDBOX_PORT, config.SANDBOX_HOST);
  step(`provider sandbox http://${config.SANDBOX_HOST}:${config.SANDBOX_PORT}`);

  startProcess('worker', 'worker.ts');
  startProcess('api', 'server.ts');
  startProcess('codec', 'src/codec/main.ts');
  await waitReady(`http://${config.HTTP_HOST}:${config.HTTP_PORT}/readyz`);
  await waitReady(`http://${config.HTTP_HOST}:${config.WORKER_HTTP_PORT}/readyz`);
  await waitReady(`${codecUrl}/healthz`);
  step(
    `codec server ${codecUrl}: sign in once at ${codecUrl}/login with \`npm run token -- ops --operator\` to see decoded payloads in the UI`,
  );
  step(
    `ready: API http://${config.HTTP_HOST}:${config.HTTP_PORT} (reference: /docs)${temporal.uiUrl ? ` · Temporal UI ${temporal.uiUrl}` : ''} · Ctrl-C stops`,
  );
}
