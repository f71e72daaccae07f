import { randomUUID } from 'node:crypto';
import { Connection, type Client, type WorkflowHandle } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime, type Worker, type WorkerOptions } from '@temporalio/worker';
import { inject } from 'vitest';
import { createActivities } from '../../activities/index.js';
import type { Config } from '../../src/config.js';
import { createDb, Prisma, type Db } from '../../src/db/client.js';
import type { KycStatus } from '../../src/domain/status.js';
import { bookOpening } from '../../src/ledger/opening.js';
import { createLogger, type Logger } from '../../src/logger.js';
import { createProviders } from '../../src/providers/index.js';
import { createQueueWorkers, runQueueWorkers, type QueueWorker, type TaskQueueRole } from '../../src/task-queues.js';
import { startOperation, type SagaWorkflowType } from '../../src/api/accept.js';
import { temporalClient, temporalConnectionOptions } from '../../src/temporal.js';
import type { Tracing } from '../../src/tracing.js';
import type { Providers } from '../../src/providers/ports.js';
import type { SandboxOptions } from '../../src/sandbox/server.js';
import { acceptUpdate, type AcceptResult } from '../../workflows/definitions.js';
import { startTestSandbox, type TestSandbox } from './sandbox.js';

// The one end-to-end stack for tests: this run's PostgreSQL and Temporal dev server (global-setup), a provider
// sandbox on a free port, the real provider adapters pointed at it, and the worker's Temporal workers as worker.ts
// runs them (the main queue and each provider's, src/task-queues.ts) on task queues of their own (so test files
// running side by side never take each other's tasks).

export interface StackOptions {
  /** Names the task queue (and logs), e.g. the test file's area. */
  name?: string;
  /** Environment overrides for the Config (on top of the sandbox's URLs). */
  env?: Record<string, string>;
  sandbox?: SandboxOptions;
  /** false: no worker (e.g. a test that runs its own); default true. */
  worker?: boolean;
  workerOptions?: Partial<WorkerOptions>;
  /** The task queues the worker serves (default all, as WORKER_TASK_QUEUES). */
  taskQueues?: TaskQueueRole[];
  /** Tracing for the workers (test/tracing). */
  tracing?: Tracing;
}

export interface Stack {
  config: Config;
  db: Db;
  client: Client;
  sandbox: TestSandbox;
  providers: Providers;
  logger: Logger;
  /** The main queue's worker (workflows); undefined when started with `worker: false`. */
  worker?: Worker;
  /** Every queue's worker. */
  workers: QueueWorker[];
  taskQueue: string;
  /**
   * What the API does to start a saga: update-with-start of its `accept` update (USE_EXISTING), answering the
   * AcceptResult and the run's handle. The update id defaults to the API's fixed 'accept'; note that the server
   * answers a repeat of a completed update id from the closed run's outcome without starting a new run.
   */
  accept<A>(
    workflowType: SagaWorkflowType,
    workflowId: string,
    input: A,
    options?: { updateId?: string },
  ): Promise<{ result: AcceptResult; handle: WorkflowHandle }>;
  stop(): Promise<void>;
}

let runtimeInstalled = false;

function installQuietRuntime(): void {
  if (runtimeInstalled) return;
  runtimeInstalled = true;
  try {
    Runtime.install({ logger: new DefaultLogger((process.env.TEST_TEMPORAL_LOG_LEVEL as 'ERROR' | undefined) ?? 'ERROR') });
  } catch {
    // Already installed by another helper in this process: keep theirs.
  }
}

export async function startStack(options: StackOptions = {}): Promise<Stack> {
  installQuietRuntime();
  const name = options.name ?? 'e2e';
  const taskQueue = `${name}-${process.pid}-${randomUUID().slice(0, 8)}`;
  const sandbox = await startTestSandbox({ stepDelayMs: 20, ...options.sandbox });
  const config = sandbox.config({
    NODE_ENV: 'test',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    DATABASE_URL: inject('databaseUrl'),
    DATABASE_POOL_SIZE: '4',
    TEMPORAL_ADDRESS: inject('temporalAddress'),
    TEMPORAL_TASK_QUEUE: taskQueue,
    // Tests' webhook receivers listen on 127.0.0.1 (test/webhooks/receiver.ts).
    WEBHOOK_ALLOW_PRIVATE_URLS: 'true',
    ...options.env,
  });
  const logger = createLogger(config.LOG_LEVEL, name);
  const db = createDb(config.DATABASE_URL, config.DATABASE_POOL_SIZE);
  const providers = createProviders(config, logger);
  const connection = await Connection.connect(temporalConnectionOptions(config));
  const client = temporalClient(config, connection);

  let workers: QueueWorker[] = [];
  let nativeConnection: NativeConnection | undefined;
  let running: Promise<void> | undefined;
  if (options.worker !== false) {
    nativeConnection = await NativeConnection.connect(temporalConnectionOptions(config));
    workers = await createQueueWorkers({
      connection: nativeConnection,
      config,
      activities: createActivities({ db, providers, config, logger }),
      roles: options.taskQueues,
      workerOptions: options.workerOptions,
      tracing: options.tracing,
    });
    running = runQueueWorkers(workers);
  }

  return {
    config,
    db,
    client,
    sandbox,
    providers,
    logger,
    worker: workers.find((w) => w.role === 'main')?.worker,
    workers,
    taskQueue,
    async accept(workflowType, workflowId, input, acceptOptions = {}) {
      const startWorkflowOperation = startOperation({ config }, { workflowType, workflowId, input });
      const result = await client.workflow.executeUpdateWithStart(acceptUpdate, {
        updateId: acceptOptions.updateId ?? 'accept',
        startWorkflowOperation,
      });
      return { result, handle: await startWorkflowOperation.workflowHandle() };
    },
    async stop() {
      for (const { worker } of workers) if (worker.getState() === 'RUNNING') worker.shutdown();
      await running;
      await nativeConnection?.close();
      await connection.close();
      await db.$disconnect();
      await sandbox.stop();
    },
  };
}

export interface TestUser {
  id: string;
  authProviderId: string;
}

/** A user row (KYC approved by default) with its balances row (and their ledger opening), written directly: for tests that start later. */
export async function createUser(
  db: Db,
  options: { kycStatus?: KycStatus; buyingPowerUsd?: string; pendingBrokerDepositsUsd?: string; balance?: boolean } = {},
): Promise<TestUser> {
  const authProviderId = `test|${randomUUID()}`;
  const user = await db.user.create({
    data: {
      authProviderId,
      kycStatus: options.kycStatus ?? 'approved',
      balance:
        options.balance === false
          ? undefined
          : {
              create: {
                buyingPowerUsd: new Prisma.Decimal(options.buyingPowerUsd ?? '0'),
                pendingBrokerDepositsUsd: new Prisma.Decimal(options.pendingBrokerDepositsUsd ?? '0'),
              },
            },
    },
    select: { id: true },
  });
  if (options.balance !== false) await bookOpening(db, { userId: user.id, ...options });
  return { id: user.id, authProviderId };
}

/**
 * A user whose buying power predates the test (written directly, as createUser does), with the same USD wired into
 * the omnibus brokerage account from outside (the sandbox's incoming wire): the broker holds what the books say, so
 * withdrawals and buys draw on real money in the sandbox's pools, which start empty.
 */
export async function createInvestor(
  stack: Pick<Stack, 'db' | 'sandbox'>,
  buyingPowerUsd: string,
  options: Omit<Parameters<typeof createUser>[1], 'buyingPowerUsd'> = {},
): Promise<TestUser> {
  const user = await createUser(stack.db, { ...options, buyingPowerUsd });
  await fundBrokerFor(stack, buyingPowerUsd);
  return user;
}

/**
 * Buying power for a user who already has a balances row (registered through the API): the row, its ledger
 * opening and the cash at the broker, so the projections, the ledger and the sandbox agree.
 */
export async function grantBuyingPower(stack: Pick<Stack, 'db' | 'sandbox'>, userId: string, buyingPowerUsd: string): Promise<void> {
  await stack.db.balance.update({ where: { userId }, data: { buyingPowerUsd } });
  await bookOpening(stack.db, { userId, buyingPowerUsd });
  await fundBrokerFor(stack, buyingPowerUsd);
}

/** Wires `amountUsd` into the omnibus trading account from outside, for buying power a test wrote directly. */
export async function fundBrokerFor(stack: Pick<Stack, 'sandbox'>, amountUsd: string): Promise<void> {
  if (new Prisma.Decimal(amountUsd).gt(0)) await stack.sandbox.control.brokerWire({ account: 'trading', amountUsd });
}

/** The user's balances as 2-decimal strings (missing row: undefined). */
export async function balancesOf(
  db: Db,
  userId: string,
): Promise<{ buyingPowerUsd: string; pendingBrokerDepositsUsd: string } | undefined> {
  const row = await db.balance.findUnique({ where: { userId } });
  return row
    ? { buyingPowerUsd: row.buyingPowerUsd.toFixed(2), pendingBrokerDepositsUsd: row.pendingBrokerDepositsUsd.toFixed(2) }
    : undefined;
}

/** A deposit row of `userId` (25 USDC unless said) on a wallet of its own, as a step finds it (no saga behind it). */
export async function depositRowOf(
  db: Db,
  userId: string,
  status: 'pending_confirmation' | 'failed' = 'pending_confirmation',
  amountUsdc = '25',
) {
  const wallet = await db.wallet.create({
    data: {
      userId,
      chain: 'ethereum',
      address: `0x${randomUUID().replace(/-/g, '')}00000000`,
      circleWalletId: randomUUID(),
      status: 'active',
    },
  });
  return db.deposit.create({
    data: {
      userId,
      walletId: wallet.id,
      chain: 'ethereum',
      txHash: `0x${randomUUID().replace(/-/g, '')}`,
      amountStablecoin: new Prisma.Decimal(amountUsdc),
      status,
    },
  });
}
