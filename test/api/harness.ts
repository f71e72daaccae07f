import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { Connection, type Client } from '@temporalio/client';
import { inject } from 'vitest';
import { createApp, type AppDeps } from '../../src/api/app.js';
import { signDevToken } from '../../src/api/dev-token.js';
import { loadConfig, type Config } from '../../src/config.js';
import { createDb, type Db } from '../../src/db/client.js';
import { createLogger } from '../../src/logger.js';
import { temporalClient, temporalConnectionOptions } from '../../src/temporal.js';

// The API on a real listening port, over this run's database and Temporal dev server. Requests go through
// fetch like any client's would.

export interface Reply {
  status: number;
  headers: Headers;
  body: any;
}

export interface Api {
  url: string;
  config: Config;
  db: Db;
  temporal: Client;
  token(subject: string, options?: { operator?: boolean }): Promise<string>;
  request(
    method: string,
    path: string,
    options?: { as?: string; operator?: boolean; body?: unknown; raw?: string; headers?: Record<string, string> },
  ): Promise<Reply>;
  close(): Promise<void>;
}

export function testConfig(env: Record<string, string> = {}): Config {
  return loadConfig({
    NODE_ENV: 'test',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    DATABASE_URL: inject('databaseUrl'),
    DATABASE_POOL_SIZE: '4',
    TEMPORAL_ADDRESS: inject('temporalAddress'),
    TEMPORAL_TASK_QUEUE: `api-test-${process.pid}`,
    AUTH_JWT_SECRET: 'api-test-secret',
    API_ACCEPT_TIMEOUT_SECONDS: '5',
    WEBHOOK_ALLOW_PRIVATE_URLS: 'true',
    ...env,
  });
}

/**
 * Starts the API; with `stack` (test/helpers/stack.ts) it shares that stack's config, database and Temporal
 * client, so its sagas run on the stack's worker and sandbox.
 */
export async function startApi(
  options: { config?: Config; deps?: Partial<AppDeps>; stack?: { config: Config; db: Db; client: Client } } = {},
): Promise<Api> {
  const config = options.stack?.config ?? options.config ?? testConfig();
  const db = options.stack?.db ?? createDb(config.DATABASE_URL, config.DATABASE_POOL_SIZE);
  const temporal = options.stack?.client ?? temporalClient(config, await Connection.connect(temporalConnectionOptions(config)));
  const logger = createLogger(config.LOG_LEVEL, 'api-test');
  const app = createApp({ config, db, temporal, logger, ...options.deps });
  const server: Server = await new Promise((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const token = (subject: string, o: { operator?: boolean } = {}) => signDevToken(config, { subject, operator: o.operator });

  return {
    url,
    config,
    db,
    temporal,
    token,
    async request(method, path, o = {}) {
      const headers: Record<string, string> = { ...o.headers };
      if (o.as !== undefined) headers.authorization = `Bearer ${await token(o.as, { operator: o.operator })}`;
      let body: string | undefined = o.raw;
      if (o.body !== undefined) body = JSON.stringify(o.body);
      if (body !== undefined) headers['content-type'] ??= 'application/json';
      const response = await fetch(url + path, { method, headers, body });
      const text = await response.text();
      let parsed: unknown = text;
      try {
        parsed = text ? JSON.parse(text) : undefined;
      } catch {
        // not JSON: keep the text
      }
      return { status: response.status, headers: response.headers, body: parsed };
    },
    async close() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      if (options.stack) return; // the stack closes what it owns
      await temporal.connection.close();
      await db.$disconnect();
    },
  };
}

let sequence = 0;
/** A subject no other test uses, so tests share the run's database without seeing each other's users. */
export function uniqueSubject(label: string): string {
  return `${label}-${process.pid}-${Date.now().toString(36)}-${++sequence}`;
}

/** Registers a user through the API (PUT /v1/me) and returns its id. */
export async function registerUser(api: Api, subject: string, body: Record<string, unknown> = {}): Promise<string> {
  const reply = await api.request('PUT', '/v1/me', { as: subject, body });
  if (reply.status !== 201) throw new Error(`PUT /v1/me answered ${reply.status}: ${JSON.stringify(reply.body)}`);
  return reply.body.user.id;
}
