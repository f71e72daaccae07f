import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Connection } from '@temporalio/client';
import { msToTs } from '@temporalio/common';
import proto from '@temporalio/proto';
import pg from 'pg';
import { parse, stringify } from 'yaml';
import { searchAttributes } from '../../workflows/definitions.js';
import type { TemporalServer, TemporalServerOptions } from './temporal-server.js';
import { ensureTemporalServerBinaries, freePort, repoRoot, serverOutput, stopProcess, waitForPort } from './tools.js';

// The full Temporal server (TEMPORAL_TOPOLOGY=server, docs/temporal-server.md): frontend, history, matching and worker
// services in one process, on PostgreSQL with SQL visibility and several history shards, as a production cluster
// runs them. Its two databases (`<database>` and `<database>_visibility`) get their schema from the SQL tool's own
// schema (the versioned files of schema/postgresql/v12 in the server module, embedded in the tool); the config is
// deploy/temporal/development-sql.yaml, filled from TEMPORAL_SERVER_* variables; once the frontend answers, the
// namespaces and fundflow's search attributes are registered as `temporal operator namespace create` and
// `temporal operator search-attribute create` would.

const configDir = path.join(repoRoot, 'deploy', 'temporal');
const dynamicConfigFile = path.join(configDir, 'dynamicconfig', 'development-sql.yaml');
const retention = msToTs('24h'); // as the dev server's namespaces

export interface FullServerStore {
  /** The PostgreSQL that keeps Temporal's databases: a URL whose user may create databases (its path is not used). */
  postgresUrl: string;
  /** The store's database; visibility is `<database>_visibility`. */
  database: string;
  /** Drop both databases when the server stops (a test run's); kept otherwise (dev, or a restart in chaos). */
  dropOnStop?: boolean;
}

/** The history shard count of a new store (a store keeps the count it was created with). */
export const historyShards = Number(process.env.TEMPORAL_SERVER_HISTORY_SHARDS ?? 4);

const databasesOf = (database: string) => [
  { name: database, schema: 'postgresql/v12/temporal' },
  { name: `${database}_visibility`, schema: 'postgresql/v12/visibility' },
];

function adminUrl(postgresUrl: string): string {
  const url = new URL(postgresUrl);
  url.pathname = '/postgres';
  return url.toString();
}

/** Runs a tool, its output kept for the error when it fails (the SQL tool logs every statement). */
function runQuiet(command: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk));
    child.on('error', reject);
    child.on('exit', (code) =>
      code === 0
        ? resolve()
        : reject(new Error(`${path.basename(command)} ${args.join(' ')} exited with ${code}:\n${output.slice(-4000)}`)),
    );
  });
}

/** Creates the store and visibility databases when missing and brings their schema to the server's version. */
export async function prepareTemporalSchema(sqlTool: string, store: FullServerStore): Promise<void> {
  const url = new URL(store.postgresUrl);
  const connection = [
    '--plugin',
    'postgres12',
    '--endpoint',
    url.hostname,
    '--port',
    url.port || '5432',
    '--user',
    decodeURIComponent(url.username),
    '--password',
    decodeURIComponent(url.password),
  ];
  const admin = new pg.Client({ connectionString: adminUrl(store.postgresUrl) });
  await admin.connect();
  try {
    for (const { name, schema } of databasesOf(store.database)) {
      const exists = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
      if (exists.rowCount === 0) await runQuiet(sqlTool, [...connection, '--database', name, 'create-database']);
      // Both idempotent: version tables at 0.0 unless there, then every versioned step not yet applied.
      await runQuiet(sqlTool, [...connection, '--database', name, 'setup-schema', '-v', '0.0']);
      await runQuiet(sqlTool, [...connection, '--database', name, 'update-schema', '--schema-name', schema]);
    }
  } finally {
    await admin.end();
  }
}

export async function dropTemporalDatabases(store: FullServerStore): Promise<void> {
  const admin = new pg.Client({ connectionString: adminUrl(store.postgresUrl) });
  await admin.connect();
  try {
    for (const { name } of databasesOf(store.database))
      await admin.query(`DROP DATABASE IF EXISTS ${pg.escapeIdentifier(name)} WITH (FORCE)`);
  } finally {
    await admin.end();
  }
}

const grpcCode = (error: unknown) => (error as { code?: number }).code;
const ALREADY_EXISTS = 6;

/** `default` and the other namespaces, each with fundflow's search attributes, then waits until a query by them works. */
async function registerNamespaces(address: string, namespaces: string[], timeoutMs = 120_000): Promise<void> {
  const connection = await Connection.connect({ address });
  const attributes = Object.fromEntries(
    Object.values(searchAttributes).map((key) => [
      key.name,
      proto.temporal.api.enums.v1.IndexedValueType[`INDEXED_VALUE_TYPE_${key.type}`],
    ]),
  );
  const query = Object.values(searchAttributes)
    .map((key) => `${key.name} IS NULL`)
    .join(' AND ');
  const deadline = Date.now() + timeoutMs;
  // Each step right after the one before can meet a service that has not seen the namespace yet: retried until then.
  const retry = async <T>(what: string, call: () => Promise<T>): Promise<T> => {
    for (;;) {
      try {
        return await call();
      } catch (error) {
        if (Date.now() > deadline) throw new Error(`the Temporal server: ${what}: ${(error as Error).message}`, { cause: error });
        await new Promise((r) => setTimeout(r, 500));
      }
    }
  };
  try {
    for (const namespace of namespaces) {
      await retry(`registering namespace ${namespace}`, () =>
        connection.workflowService.registerNamespace({ namespace, workflowExecutionRetentionPeriod: retention }).catch((error) => {
          if (grpcCode(error) !== ALREADY_EXISTS) throw error;
        }),
      );
      await retry(`search attributes of ${namespace}`, () =>
        connection.operatorService.addSearchAttributes({ namespace, searchAttributes: attributes }),
      );
      await retry(`a visibility query in ${namespace}`, () => connection.workflowService.countWorkflowExecutions({ namespace, query }));
    }
  } finally {
    await connection.close();
  }
}

/** The full server on `options.port` (frontend), its store on PostgreSQL; the other services on free ports. */
export async function startFullTemporalServer(options: TemporalServerOptions, store: FullServerStore): Promise<TemporalServer> {
  const { server, sqlTool } = await ensureTemporalServerBinaries();
  await prepareTemporalSchema(sqlTool, store);

  // The dynamic config of the repository, with this run's values on top (e.g. eager activities in the benchmark).
  const scratch = await mkdtemp(path.join(os.tmpdir(), 'fundflow-temporal-server-'));
  const dynamicConfig = parse(await readFile(dynamicConfigFile, 'utf8')) as Record<string, unknown>;
  for (const [key, value] of Object.entries(options.dynamicConfig ?? {})) dynamicConfig[key] = [{ value: parse(value) }];
  await writeFile(path.join(scratch, 'dynamicconfig.yaml'), stringify(dynamicConfig));

  const url = new URL(store.postgresUrl);
  const ports = [
    'HISTORY',
    'MATCHING',
    'WORKER',
    'FRONTEND_HTTP',
    'FRONTEND_MEMBERSHIP',
    'HISTORY_MEMBERSHIP',
    'MATCHING_MEMBERSHIP',
    'WORKER_MEMBERSHIP',
  ];
  const env: Record<string, string> = {
    ...process.env,
    TEMPORAL_SERVER_LOG_LEVEL: options.logLevel ?? 'warn',
    TEMPORAL_SERVER_HISTORY_SHARDS: String(historyShards),
    TEMPORAL_SERVER_DATABASE: store.database,
    TEMPORAL_SERVER_POSTGRES_HOST: url.hostname,
    TEMPORAL_SERVER_POSTGRES_PORT: url.port || '5432',
    TEMPORAL_SERVER_POSTGRES_USER: decodeURIComponent(url.username),
    TEMPORAL_SERVER_POSTGRES_PASSWORD: decodeURIComponent(url.password),
    TEMPORAL_SERVER_FRONTEND_PORT: String(options.port),
    TEMPORAL_SERVER_METRICS_PORT: String(options.metricsPort ?? (await freePort())),
    TEMPORAL_SERVER_DYNAMIC_CONFIG: path.join(scratch, 'dynamicconfig.yaml'),
  } as Record<string, string>;
  // freePort's ports are below 32768: the server records each service's membership port in a SMALLINT column.
  for (const name of ports) env[`TEMPORAL_SERVER_${name}_PORT`] = String(await freePort());

  const args = ['--root', repoRoot, '--config', path.relative(repoRoot, configDir), '--env', 'development-sql', '--allow-no-auth', 'start'];
  const output = serverOutput(options);
  const child = spawn(server, args, { env, stdio: output.stdio });
  output.close();
  const exited = new Promise<never>((_, reject) =>
    child.once('exit', (code) => reject(new Error(`temporal-server exited early with code ${code}`))),
  );
  const address = `127.0.0.1:${options.port}`;
  const stop = async () => {
    await stopProcess(child, 15_000);
    await rm(scratch, { recursive: true, force: true });
    if (store.dropOnStop) await dropTemporalDatabases(store);
  };
  try {
    await Promise.race([waitForPort(options.port, '127.0.0.1', 120_000), exited]);
    await Promise.race([registerNamespaces(address, ['default', ...(options.namespaces ?? []).filter((n) => n !== 'default')]), exited]);
  } catch (error) {
    await stop();
    throw error;
  }
  exited.catch(() => {});
  return { address, process: child, stop };
}
