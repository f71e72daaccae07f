import { Router } from 'express';
import { z } from 'zod';
import { runChecks } from '../../health.js';
import { registry } from '../../metrics.js';
import { pingTemporal } from '../../temporal.js';
import type { AppDeps } from '../app.js';
import { route } from '../route.js';

// Liveness, readiness and metrics: no auth, no body parsing, nothing that depends on the caller.

const readiness = z.object({ status: z.enum(['ready', 'not ready']), checks: z.record(z.string(), z.string()) });

export function healthRouter(deps: AppDeps): Router {
  const router = Router();
  const checks = {
    postgres: async () => void (await deps.db.$queryRaw`SELECT 1`),
    temporal: () => pingTemporal(deps.temporal),
  };

  route(
    router,
    { method: 'get', path: '/healthz', summary: 'Liveness', responses: { 200: { description: 'The process is up' } } },
    (_req, res) => res.json({ status: 'ok' }),
  );

  route(
    router,
    {
      method: 'get',
      path: '/readyz',
      summary: 'Readiness: 200 only when PostgreSQL and Temporal answer',
      responses: {
        200: { description: 'Ready', schema: readiness },
        503: { description: 'A dependency does not answer (named in checks)', schema: readiness },
      },
    },
    async (_req, res) => {
      const result = await runChecks(checks);
      res.status(result.ok ? 200 : 503).json({ status: result.ok ? 'ready' : 'not ready', checks: result.checks });
    },
  );

  route(
    router,
    { method: 'get', path: '/metrics', summary: 'Prometheus metrics', responses: { 200: { description: 'Text exposition' } } },
    async (_req, res) => res.type(registry.contentType).send(await registry.metrics()),
  );

  return router;
}
