import { spawn, type ChildProcess } from 'node:child_process';
import { loadConfig } from '../src/config.js';
import { startDevTemporal } from './temporal.js';
import { repoRoot, step, stopProcess, waitForPort } from './lib/tools.js';

// `npm run dev`: the whole stack on this machine — Temporal dev server (Web UI 8233), the provider sandbox
// (4010), the worker and the API (3000) — each line of output prefixed with its process, until Ctrl-C.

const config = loadConfig();
const children: ChildProcess[] = [];
const colors = { sandbox: 35, worker: 33, api: 32 } as const;

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
const temporal = await startDevTemporal();
temporalStop = temporal.stop;
step(`Temporal ${temporal.address} · Web UI ${temporal.uiUrl}`);

startProcess('sandbox', 'src/sandbox/main.ts');
await waitForPort(config.SANDBOX_PORT, config.SANDBOX_HOST);
step(`provider sandbox http://${config.SANDBOX_HOST}:${config.SANDBOX_PORT}`);

startProcess('worker', 'worker.ts');
startProcess('api', 'server.ts');
await waitReady(`http://${config.HTTP_HOST}:${config.HTTP_PORT}/readyz`);
await waitReady(`http://${config.HTTP_HOST}:${config.WORKER_HTTP_PORT}/readyz`);
step(`ready: API http://${config.HTTP_HOST}:${config.HTTP_PORT} · Temporal UI ${temporal.uiUrl} · Ctrl-C stops`);
