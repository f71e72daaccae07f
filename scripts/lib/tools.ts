import { spawn, type ChildProcess, type StdioOptions } from 'node:child_process';
import { closeSync, existsSync, openSync } from 'node:fs';
import { mkdir, readFile, rename } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';

// Local development tools that no package registry carries as a binary: the Temporal CLI (dev server + Web UI)
// is compiled once by `go install` into the git-ignored .tools/ folder and reused from there.

export const repoRoot = path.resolve(import.meta.dirname, '../..');
export const toolsBin = path.join(repoRoot, '.tools', 'bin');
export const temporalCliVersion = 'v1.5.1'; // newest tag whose go.mod has no `replace` (go install refuses those)
export const temporalBinary = process.env.TEMPORAL_CLI_PATH ?? path.join(toolsBin, 'temporal');

/** An integer setting from the environment (`0` counts), or the fallback. */
export function envInt(name: string, fallback: number): number {
  const value = Number.parseInt(process.env[name] ?? '', 10);
  return Number.isNaN(value) ? fallback : value;
}

export function step(message: string): void {
  process.stderr.write(`\x1b[36m▸\x1b[0m ${message}\n`);
}

export async function ensureTemporalCli(): Promise<string> {
  if (existsSync(temporalBinary)) return temporalBinary;
  step(`building the Temporal CLI ${temporalCliVersion} with go install (first time only, a few minutes)…`);
  await mkdir(toolsBin, { recursive: true });
  await run('go', ['install', `github.com/temporalio/cli/cmd/temporal@${temporalCliVersion}`], {
    ...process.env,
    GOBIN: toolsBin,
  });
  step(`Temporal CLI ready at ${path.relative(repoRoot, temporalBinary)}`);
  return temporalBinary;
}

// The full Temporal server (TEMPORAL_TOPOLOGY=server, docs/temporal-server.md): the same server version the CLI
// v1.5.1 embeds, as its own binary and its SQL schema tool, built only when that topology is asked for.
export const temporalServerVersion = 'v1.29.1';
export const temporalServerBinary = process.env.TEMPORAL_SERVER_PATH ?? path.join(toolsBin, 'temporal-server');
export const temporalSqlToolBinary = process.env.TEMPORAL_SQL_TOOL_PATH ?? path.join(toolsBin, 'temporal-sql-tool');

/** `temporal-server` and `temporal-sql-tool`, built once by `go install` (named as in Temporal's own images). */
export async function ensureTemporalServerBinaries(): Promise<{ server: string; sqlTool: string }> {
  const binaries = { server: temporalServerBinary, sqlTool: temporalSqlToolBinary };
  if (existsSync(binaries.server) && existsSync(binaries.sqlTool)) return binaries;
  step(`building the Temporal server ${temporalServerVersion} and its SQL tool with go install (first time only: several minutes)…`);
  // go install names a binary after its package folder (server, sql): built aside, then renamed into .tools/bin.
  const staging = path.join(repoRoot, '.tools', 'go-install');
  await mkdir(toolsBin, { recursive: true });
  await run(
    'go',
    [
      'install',
      `go.temporal.io/server/cmd/server@${temporalServerVersion}`,
      `go.temporal.io/server/cmd/tools/sql@${temporalServerVersion}`,
    ],
    {
      ...process.env,
      GOBIN: staging,
    },
  );
  await rename(path.join(staging, 'server'), binaries.server);
  await rename(path.join(staging, 'sql'), binaries.sqlTool);
  step(`Temporal server ready at ${path.relative(repoRoot, binaries.server)}`);
  return binaries;
}

export const helmVersion = 'v3.20.2'; // go.mod without `replace`; renders deploy/helm offline (test/deploy)
export const helmBinary = process.env.HELM_PATH ?? path.join(toolsBin, 'helm');

/** helm, built once by `go install` like the Temporal CLI (no registry this machine reaches ships its binary). */
export async function ensureHelm(): Promise<string> {
  if (existsSync(helmBinary)) return helmBinary;
  step(`building helm ${helmVersion} with go install (first time only, a few minutes)…`);
  await mkdir(toolsBin, { recursive: true });
  await run('go', ['install', `helm.sh/helm/v3/cmd/helm@${helmVersion}`], { ...process.env, GOBIN: toolsBin });
  return helmBinary;
}

export function run(command: string, args: string[], env = process.env): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: 'inherit', env });
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`${command} exited with ${code}`))));
  });
}

/** Ports freePort gave this process: two calls in a row must not give the same one. */
const handedOut = new Set<number>();

/**
 * A port for a child process (or a server started later) to listen on, chosen below the kernel's ephemeral range
 * (ip_local_port_range, 32768 and up here): a port from that range, free when asked for, is the next outgoing
 * connection's local port as likely as any other, and a listener cannot bind a port an outgoing connection holds
 * (EADDRINUSE). Under the full test suite, with thousands of connections opened while a stack's processes start,
 * that failed worker starts. Below 32768 it also fits the full Temporal server's SMALLINT port column.
 */
export async function freePort(): Promise<number> {
  const range = await readFile('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').catch(() => '32768 60999');
  const [low, high] = [15_000, Math.min(Number(range.trim().split(/\s+/)[0]), 32_768)];
  for (let tries = 0; tries < 200; tries++) {
    const port = low + Math.floor(Math.random() * (high - low));
    if (handedOut.has(port)) continue;
    const free = await new Promise<boolean>((resolve) => {
      const probe = net.createServer();
      probe.unref();
      probe.once('error', () => resolve(false));
      probe.listen(port, '127.0.0.1', () => probe.close(() => resolve(true)));
    });
    if (free) {
      handedOut.add(port);
      return port;
    }
  }
  throw new Error(`no free port found between ${low} and ${high}`);
}

export async function waitForPort(port: number, host = '127.0.0.1', timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const open = await new Promise<boolean>((resolve) => {
      const socket = net.connect(port, host);
      // A connect whose local port is the target port is TCP's self-connect, not a listener.
      socket.once('connect', () => {
        const self = socket.localPort === port;
        socket.destroy();
        resolve(!self);
      });
      socket.once('error', () => resolve(false));
    });
    if (open) return;
    if (Date.now() > deadline) throw new Error(`nothing answered on ${host}:${port} within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** Where a server's output goes: appended to a log file, nowhere (quiet), or this terminal. close() once spawned. */
export function serverOutput(options: { quiet?: boolean; logFile?: string }): { stdio: StdioOptions; close(): void } {
  if (options.logFile) {
    const fd = openSync(options.logFile, 'a');
    return { stdio: ['ignore', fd, fd], close: () => closeSync(fd) };
  }
  return { stdio: options.quiet ? 'ignore' : ['ignore', 'inherit', 'inherit'], close: () => {} };
}

export function stopProcess(child: ChildProcess, graceMs = 5_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    child.once('exit', () => (clearTimeout(timer), resolve()));
    child.kill('SIGTERM');
  });
}
