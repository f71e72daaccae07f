import { Client, Connection } from '@temporalio/client';
import type { DataConverter } from '@temporalio/common';
import { NativeConnection, type WorkerOptions } from '@temporalio/worker';
import { EncryptionCodec } from './codec/encryption.js';
import type { Config } from './config.js';

// One Temporal connection per process (PERFORMANCE.md): the API holds a Client, the worker a NativeConnection.

function connectionOptions(config: Config) {
  return {
    address: config.TEMPORAL_ADDRESS,
    tls: config.TEMPORAL_TLS || undefined,
    apiKey: config.TEMPORAL_API_KEY,
  };
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
  const connection = await Connection.connect(connectionOptions(config));
  return temporalClient(config, connection);
}

/** A Client over an existing connection (a worker's NativeConnection too), with fundflow's namespace and codec. */
export function temporalClient(config: Config, connection: Connection | NativeConnection): Client {
  return new Client({ connection, namespace: config.TEMPORAL_NAMESPACE, dataConverter: dataConverterOf(config) });
}

export async function connectWorker(config: Config): Promise<NativeConnection> {
  return NativeConnection.connect(connectionOptions(config));
}

/** Fails unless the Temporal frontend answers an RPC within 500 ms (it answers from memory in a few). */
export async function pingTemporal(client: Client): Promise<void> {
  // The deadline also ends the SDK's gRPC retries, which last about 20 s against a server that is down: a probe
  // must settle before it answers, or its retries outlive it and fire on a connection closed at shutdown.
  await client.connection.withDeadline(Date.now() + 500, () => client.workflowService.getSystemInfo({}));
}

/** The worker's tuning (WORKER_* in config): one place, so a benchmark's baseline worker runs with the same. */
export function workerTuning(config: Config): Pick<
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
