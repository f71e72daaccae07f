import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { loadConfig } from '../src/config.js';
import { startDevTemporal } from './temporal.js';
import { repoRoot, step, stopProcess, waitForPort } from './lib/tools.js';

// `npm run dev`: the whole stack on this machine — Temporal dev server (Web UI 8233), the provider sandbox
// (4010), the worker and the API (3000) and the codec server (3003) the Web UI decodes payloads with — each line of
// output prefixed with its process, until Ctrl-C.

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
const config = loadConfig();
const codecUrl = `http://${config.HTTP_HOST}:${config.CODEC_SERVER_PORT}`;
const children: ChildProcess[] = [];
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

let shuttingDown = false;
let temporalStop: (() => Promise<void>) | undefined;
async function shutdown(): Promise<void> {
  if (shuttingDown) return;
  shuttingDown = true;
  step('stopping…');
  await Promise.all(children.map((c) => stopProcess(c, 35_000)));
  await temporalStop?.();
  process.exit(0);
}
process.once('SIGINT', () => void shutdown());
process.once('SIGTERM', () => void shutdown());

step('starting the Temporal dev server (persistent in .data/)');
const temporal = await startDevTemporal({ uiCodecEndpoint: codecUrl });
temporalStop = temporal.stop;
step(`Temporal ${temporal.address} · Web UI ${temporal.uiUrl}`);

startProcess('sandbox', 'src/sandbox/main.ts');
await waitForPort(config.SANDBOX_PORT, config.SANDBOX_HOST);
step(`provider sandbox http://${config.SANDBOX_HOST}:${config.SANDBOX_PORT}`);

startProcess('worker', 'worker.ts');
startProcess('api', 'server.ts');
startProcess('codec', 'src/codec/main.ts');
await waitReady(`http://${config.HTTP_HOST}:${config.HTTP_PORT}/readyz`);
await waitReady(`http://${config.HTTP_HOST}:${config.WORKER_HTTP_PORT}/readyz`);
await waitReady(`${codecUrl}/healthz`);
step(`codec server ${codecUrl}: sign in once at ${codecUrl}/login with \`npm run token -- ops --operator\` to see decoded payloads in the UI`);
step(`ready: API http://${config.HTTP_HOST}:${config.HTTP_PORT} · Temporal UI ${temporal.uiUrl} · Ctrl-C stops`);
