import { Router } from 'express';
import { z } from 'zod';
import { runChecks, type ReadinessCheck } from '../../health.js';
import { pingTemporal } from '../../temporal.js';
import type { AppDeps } from '../app.js';
import { route } from '../route.js';

// Liveness and readiness on the public port: no auth, no body parsing, nothing that depends on the caller, and
// nothing about our dependencies beyond ready or not (which one is down, and /metrics, are on the internal
// listener: src/api/internal.ts).

const readiness = z.object({ status: z.enum(['ready', 'not ready']) });

/** What the API needs to serve: PostgreSQL and Temporal answering. */
export function readinessChecks(deps: Pick<AppDeps, 'db' | 'temporal'>): Record<string, ReadinessCheck> {
  return {
    postgres: async () => void (await deps.db.$queryRaw`SELECT 1`),
    temporal: () => pingTemporal(deps.temporal),
  };
}

export function healthRouter(deps: AppDeps): Router {
  const router = Router();
  const checks = readinessChecks(deps);

  route(
    router,
    {
      method: 'get',
      path: '/healthz',
      operationId: 'checkLiveness',
      tag: 'health',
      summary: 'Liveness',
      description: 'Answers 200 while the process runs and checks nothing else (GET /readyz checks the dependencies). No token.',
      responses: { 200: { description: 'The process is up' } },
    },
    (_req, res) => res.json({ status: 'ok' }),
  );

  route(
    router,
    {
      method: 'get',
      path: '/readyz',
      operationId: 'checkReadiness',
      tag: 'health',
      summary: 'Readiness: 200 only when PostgreSQL and Temporal answer',
      description:
        '200 when PostgreSQL and Temporal both answer, 503 otherwise, so a load balancer takes the process out ' + 'of rotation. No token.',
      responses: {
        200: { description: 'Ready', schema: readiness },
        503: { description: 'A dependency does not answer (which one: the internal listener)', schema: readiness },
      },
    },
    async (_req, res) => {
      const result = await runChecks(checks);
      res.status(result.ok ? 200 : 503).json({ status: result.ok ? 'ready' : 'not ready' });
    },
  );

  return router;
}
