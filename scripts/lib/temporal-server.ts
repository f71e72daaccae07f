import { spawn, type ChildProcess } from 'node:child_process';
import { searchAttributeFlags } from '../../workflows/definitions.js';
import { startFullTemporalServer, type FullServerStore } from './temporal-full-server.js';
import { ensureTemporalCli, serverOutput, stopProcess, waitForPort } from './tools.js';

/**
 * Which Temporal the scripts and the test setup start: `dev` (default), the single-binary dev server of the temporal
 * CLI (SQLite, one history shard, Web UI); `server`, the full server on PostgreSQL (docs/temporal-server.md).
 */
export type TemporalTopology = 'dev' | 'server';

export function temporalTopology(): TemporalTopology {
  const value = process.env.TEMPORAL_TOPOLOGY ?? 'dev';
  if (value !== 'dev' && value !== 'server') throw new Error(`TEMPORAL_TOPOLOGY must be dev or server, not ${value}`);
  return value;
}

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
  /** Namespaces created at start besides `default` (`--namespace`), each with the search attributes. */
  namespaces?: string[];
  /** Write the server's output to this file (appended) instead of showing or discarding it. */
  logFile?: string;
  /** Default TEMPORAL_TOPOLOGY. */
  topology?: TemporalTopology;
  /**
   * The full server's PostgreSQL databases; default a throwaway pair on 127.0.0.1:5432, dropped at stop (the dev
   * server's in-memory store). The dev server ignores it (dbFile is its store).
   */
  store?: FullServerStore;
}

export interface TemporalServer {
  address: string;
  uiUrl?: string;
  process: ChildProcess;
  stop(): Promise<void>;
}

/** The Temporal server of the topology asked for, with fundflow's namespaces and custom search attributes registered. */
export async function startTemporalServer(options: TemporalServerOptions): Promise<TemporalServer> {
  if ((options.topology ?? temporalTopology()) === 'server') {
    const store = options.store ?? {
      postgresUrl: 'postgresql://root@127.0.0.1:5432/postgres',
      database: `temporal_run_${Date.now()}_${process.pid}`,
      dropOnStop: true,
    };
    return startFullTemporalServer(options, store);
  }
  return startDevServer(options);
}

/** The single-binary Temporal dev server with fundflow's custom search attributes registered. */
async function startDevServer(options: TemporalServerOptions): Promise<TemporalServer> {
  const binary = await ensureTemporalCli();
  const args = ['server', 'start-dev', '--ip', '127.0.0.1', '--port', String(options.port)];
  if (options.uiPort) args.push('--ui-port', String(options.uiPort));
  else args.push('--headless');
  if (options.uiPort && options.uiCodecEndpoint) args.push('--ui-codec-endpoint', options.uiCodecEndpoint);
  if (options.metricsPort) args.push('--metrics-port', String(options.metricsPort));
  if (options.dbFile)
    args.push('--db-filename', options.dbFile, '--sqlite-pragma', 'journal_mode=wal', '--sqlite-pragma', 'synchronous=normal');
  args.push('--log-level', options.logLevel ?? 'warn', '--log-format', 'json');
  for (const flag of searchAttributeFlags) args.push('--search-attribute', flag);
  for (const namespace of options.namespaces ?? []) if (namespace !== 'default') args.push('--namespace', namespace);
  for (const [key, value] of Object.entries(options.dynamicConfig ?? {})) args.push('--dynamic-config-value', `${key}=${value}`);

  const output = serverOutput(options);
  const child = spawn(binary, args, { stdio: output.stdio });
  output.close();
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
