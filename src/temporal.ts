import { readFileSync } from 'node:fs';
import { Client, Connection, type TLSConfig } from '@temporalio/client';
import type { DataConverter } from '@temporalio/common';
import { NativeConnection, type WorkerOptions } from '@temporalio/worker';
import { EncryptionCodec } from './codec/encryption.js';
import { ConfigError, type Config } from './config.js';
import { pemOf, pemProblem, temporalTlsEnabled, temporalTlsMaterials, type TemporalTlsMaterial } from './config-temporal.js';
import { tracingClientInterceptors } from './tracing.js';

// One Temporal connection per process (PERFORMANCE.md): the API holds a Client, the worker a NativeConnection.

/** What the API, the worker, the scripts and the test stack connect to Temporal with (Connection and NativeConnection alike). */
export interface TemporalConnectionOptions {
  address: string;
  /** undefined: plain gRPC. */
  tls?: TLSConfig;
  apiKey?: string;
}

/**
 * The one place fundflow's Temporal connection options are built: the address, TLS (server CA, client certificate
 * pair for mutual TLS, server name override) and the API key, from the configuration (src/config-temporal.ts says
 * which combinations it refuses). Reads the `_PATH` files now, so a missing or wrong file stops the process at start
 * naming its variable. `readFile` is for tests.
 */
export function temporalConnectionOptions(
  config: Config,
  readFile: (path: string) => string = (path) => readFileSync(path, 'utf8'),
): TemporalConnectionOptions {
  const pem = (material: TemporalTlsMaterial): Buffer | undefined => {
    const path = config[`${material}_PATH`];
    const data = config[`${material}_DATA`];
    if (path === undefined && data === undefined) return undefined;
    const variable = path !== undefined ? `${material}_PATH` : `${material}_DATA`;
    let text: string;
    try {
      text = path !== undefined ? readFile(path) : pemOf(data!);
    } catch (error) {
      throw new ConfigError(
        `invalid configuration: ${variable}: cannot read ${path} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`,
      );
    }
    const problem = pemProblem(text, temporalTlsMaterials[material]);
    if (problem) throw new ConfigError(`invalid configuration: ${variable}: ${path ?? 'the value'} ${problem}`);
    return Buffer.from(text);
  };

  if (!temporalTlsEnabled(config)) return { address: config.TEMPORAL_ADDRESS, apiKey: config.TEMPORAL_API_KEY };
  const serverRootCACertificate = pem('TEMPORAL_TLS_SERVER_CA_CERT');
  const crt = pem('TEMPORAL_TLS_CLIENT_CERT');
  const key = pem('TEMPORAL_TLS_CLIENT_KEY');
  const tls: TLSConfig = {};
  if (serverRootCACertificate) tls.serverRootCACertificate = serverRootCACertificate;
  if (crt && key) tls.clientCertPair = { crt, key };
  if (config.TEMPORAL_TLS_SERVER_NAME) tls.serverNameOverride = config.TEMPORAL_TLS_SERVER_NAME;
  return { address: config.TEMPORAL_ADDRESS, tls, apiKey: config.TEMPORAL_API_KEY };
}

/**
 * What every Temporal client and worker of fundflow encodes payloads with: the encryption codec when payload keys
 * are configured (always in production), else the SDK's default (plain JSON, development and tests).
 */
export function dataConverterOf(config: Pick<Config, 'TEMPORAL_PAYLOAD_KEYS' | 'TEMPORAL_PAYLOAD_KEY_ID'>): DataConverter | undefined {
  if (config.TEMPORAL_PAYLOAD_KEYS.size === 0 || !config.TEMPORAL_PAYLOAD_KEY_ID) return undefined;
  return { payloadCodecs: [new EncryptionCodec({ currentKeyId: config.TEMPORAL_PAYLOAD_KEY_ID, keys: config.TEMPORAL_PAYLOAD_KEYS })] };
}

export async function connectClient(config: Config): Promise<Client> {
  const connection = await Connection.connect(temporalConnectionOptions(config));
  return temporalClient(config, connection);
}

/** A Client over an existing connection (a worker's NativeConnection too), with fundflow's namespace and codec. */
export function temporalClient(config: Config, connection: Connection | NativeConnection): Client {
  return new Client({
    connection,
    namespace: config.TEMPORAL_NAMESPACE,
    dataConverter: dataConverterOf(config),
    interceptors: tracingClientInterceptors,
  });
}

export async function connectWorker(config: Config): Promise<NativeConnection> {
  return NativeConnection.connect(temporalConnectionOptions(config));
}

/** Fails unless the Temporal frontend answers an RPC within 500 ms (it answers from memory in a few). */
export async function pingTemporal(client: Client): Promise<void> {
  // The deadline also ends the SDK's gRPC retries, which last about 20 s against a server that is down: a probe
  // must settle before it answers, or its retries outlive it and fire on a connection closed at shutdown.
  await client.connection.withDeadline(Date.now() + 500, () => client.workflowService.getSystemInfo({}));
}

/** The worker's tuning (WORKER_* in config): one place, so a benchmark's baseline worker runs with the same. */
export function workerTuning(
  config: Config,
): Pick<
  WorkerOptions,
  | 'maxConcurrentWorkflowTaskExecutions'
  | 'maxConcurrentActivityTaskExecutions'
  | 'maxCachedWorkflows'
  | 'maxConcurrentWorkflowTaskPolls'
  | 'maxConcurrentActivityTaskPolls'
  | 'shutdownGraceTime'
> {
  return {
    maxConcurrentWorkflowTaskExecutions: config.WORKER_MAX_CONCURRENT_WORKFLOW_TASKS,
    maxConcurrentActivityTaskExecutions: config.WORKER_MAX_CONCURRENT_ACTIVITIES,
    maxCachedWorkflows: config.WORKER_MAX_CACHED_WORKFLOWS,
    // The SDK refuses more pollers than slots.
    maxConcurrentWorkflowTaskPolls: Math.min(config.WORKER_MAX_WORKFLOW_TASK_POLLS, config.WORKER_MAX_CONCURRENT_WORKFLOW_TASKS),
    maxConcurrentActivityTaskPolls: Math.min(config.WORKER_MAX_ACTIVITY_TASK_POLLS, config.WORKER_MAX_CONCURRENT_ACTIVITIES),
    shutdownGraceTime: '30s',
  };
}
