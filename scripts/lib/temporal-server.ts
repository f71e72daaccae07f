import { spawn, type ChildProcess } from 'node:child_process';
import { searchAttributeFlags } from '../../workflows/definitions.js';
import { ensureTemporalCli, stopProcess, waitForPort } from './tools.js';

export interface TemporalServerOptions {
  port: number;
  /** Web UI port; omit to run headless (tests). */
  uiPort?: number;
  metricsPort?: number;
  /** SQLite file for persistence across restarts; omit for in-memory. */
  dbFile?: string;
  logLevel?: 'debug' | 'info' | 'warn' | 'error';
  /** Discard the server's own log (tests); the dev stack shows it. */
  quiet?: boolean;
  /** `--dynamic-config-value` pairs, e.g. { 'system.enableActivityEagerExecution': 'true' }. */
  dynamicConfig?: Record<string, string>;
  /** The codec server the Web UI asks to decode payloads (`--ui-codec-endpoint`). */
  uiCodecEndpoint?: string;
}

export interface TemporalServer {
  address: string;
  uiUrl?: string;
  process: ChildProcess;
  stop(): Promise<void>;
}

/** The single-binary Temporal dev server with fundflow's custom search attributes registered. */
export async function startTemporalServer(options: TemporalServerOptions): Promise<TemporalServer> {
  const binary = await ensureTemporalCli();
  const args = ['server', 'start-dev', '--ip', '127.0.0.1', '--port', String(options.port)];
  if (options.uiPort) args.push('--ui-port', String(options.uiPort));
  else args.push('--headless');
  if (options.uiPort && options.uiCodecEndpoint) args.push('--ui-codec-endpoint', options.uiCodecEndpoint);
  if (options.metricsPort) args.push('--metrics-port', String(options.metricsPort));
  if (options.dbFile) args.push('--db-filename', options.dbFile, '--sqlite-pragma', 'journal_mode=wal', '--sqlite-pragma', 'synchronous=normal');
  args.push('--log-level', options.logLevel ?? 'warn', '--log-format', 'json');
  for (const flag of searchAttributeFlags) args.push('--search-attribute', flag);
  for (const [key, value] of Object.entries(options.dynamicConfig ?? {})) args.push('--dynamic-config-value', `${key}=${value}`);

  const child = spawn(binary, args, { stdio: options.quiet ? 'ignore' : ['ignore', 'inherit', 'inherit'] });
  const exited = new Promise<never>((_, reject) =>
    child.once('exit', (code) => reject(new Error(`temporal server exited early with code ${code}`))),
  );
  await Promise.race([waitForPort(options.port), exited]);
  if (options.uiPort) await Promise.race([waitForPort(options.uiPort), exited]);
  exited.catch(() => {});
  return {
    address: `127.0.0.1:${options.port}`,
    uiUrl: options.uiPort ? `http://127.0.0.1:${options.uiPort}` : undefined,
    process: child,
    stop: () => stopProcess(child),
  };
}
