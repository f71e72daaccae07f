import http from 'node:http';
import type { Logger } from './logger.js';

// Liveness and readiness for the worker and for the API's internal listener: a bare node:http listener, so that
// probing a process never depends on the thing being probed.

export type ReadinessCheck = () => Promise<void>;

export async function runChecks(checks: Record<string, ReadinessCheck>): Promise<{ ok: boolean; checks: Record<string, string> }> {
  const entries = await Promise.all(
    Object.entries(checks).map(async ([name, check]) => {
      try {
        await withTimeout(check(), 2_000);
        return [name, 'ok'] as const;
      } catch (error) {
        return [name, (error as Error).message] as const;
      }
    }),
  );
  return { ok: entries.every(([, v]) => v === 'ok'), checks: Object.fromEntries(entries) };
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no answer in ${ms} ms`)), ms);
    promise.then(
      (v) => (clearTimeout(timer), resolve(v)),
      (e) => (clearTimeout(timer), reject(e)),
    );
  });
}

export interface HealthServerOptions {
  host: string;
  port: number;
  /** What /readyz checks; a function when the set changes (the API cluster's processes). */
  checks: Record<string, ReadinessCheck> | (() => Record<string, ReadinessCheck>);
  /** Extra GET routes (e.g. /metrics) answered by the same listener. */
  routes?: Record<string, () => Promise<{ contentType: string; body: string }>>;
  logger: Logger;
}

export function startHealthServer(options: HealthServerOptions): Promise<http.Server> {
  const server = http.createServer(async (req, res) => {
    const path = (req.url ?? '/').split('?')[0]!;
    const route = options.routes?.[path];
    // A path this listener does not serve is 404 whatever the method: it tells a prober nothing about what runs here.
    if (path !== '/healthz' && path !== '/readyz' && !route) return void json(res, 404, { status: 'not found' });
    if (req.method !== 'GET') return void res.writeHead(405, { allow: 'GET' }).end();
    if (path === '/healthz') return void json(res, 200, { status: 'ok' });
    if (path === '/readyz') {
      const result = await runChecks(typeof options.checks === 'function' ? options.checks() : options.checks);
      return void json(res, result.ok ? 200 : 503, { status: result.ok ? 'ready' : 'not ready', checks: result.checks });
    }
    try {
      const { contentType, body } = await route!();
      res.writeHead(200, { 'content-type': contentType }).end(body);
    } catch (error) {
      // e.g. the database behind a gauge is down: the scrape fails, the process does not.
      options.logger.warn({ err: error, path }, 'health listener route failed');
      json(res, 500, { status: 'failed' });
    }
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      options.logger.info({ address: server.address() }, 'health endpoint listening');
      resolve(server);
    });
  });
}

function json(res: http.ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}
