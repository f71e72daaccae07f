import type { Client } from '@temporalio/client';
import express, { type Router } from 'express';
import helmet from 'helmet';
import type { Config } from '../config.js';
import type { Db } from '../db/client.js';
import type { Logger } from '../logger.js';
import { registerEventLoopDelay, registerSagaStatusGauge } from '../metrics.js';
import type { Providers } from '../providers/ports.js';
import { authenticate, requireOperator } from './auth.js';
import { requestContext } from './context.js';
import { tracingMiddleware, type Tracing } from '../tracing.js';
import { createRateLimits, routeBuckets } from './rate-limit.js';
import { errorHandler, notFound } from './error-handler.js';
import { docsRouter } from './routes/docs.js';
import { healthRouter } from './routes/health.js';
import { meRouter } from './routes/me.js';
import { kycRouter } from './routes/kyc.js';
import { walletsRouter } from './routes/wallets.js';
import { depositsRouter } from './routes/deposits.js';
import { withdrawalsRouter } from './routes/withdrawals.js';
import { balancesRouter } from './routes/balances.js';
import { summariesRouter } from './routes/summaries.js';
import { eventsRouter } from './routes/events.js';
import { basketsRouter } from './routes/baskets.js';
import { ordersRouter } from './routes/orders.js';
import { positionsRouter } from './routes/positions.js';
import { adminRouter } from './routes/admin.js';
import { operatorPagesRouter } from './routes/operator-pages.js';
import { webhooksRouter, type WebhookVerifier } from './routes/webhooks.js';

export interface AppDeps {
  config: Config;
  db: Db;
  temporal: Client;
  logger: Logger;
  providers?: Providers;
  /** Verifies Circle's webhook signatures; default: keys fetched from CIRCLE_WALLETS_BASE_URL. */
  verifyCircleWebhook?: WebhookVerifier;
  /** The process's tracing (src/tracing.ts): a span per request only when it exports them. */
  tracing?: Tracing;
}

/** Routers of the authenticated /v1 API, each `(deps) => Router` with full paths; add a resource with one line. */
const v1Routers: ((deps: AppDeps) => Router)[] = [
  meRouter,
  kycRouter,
  walletsRouter,
  depositsRouter,
  withdrawalsRouter,
  balancesRouter,
  summariesRouter,
  eventsRouter,
  basketsRouter,
  ordersRouter,
  positionsRouter,
  adminRouter,
];

// helmet's headers on every response. This is a JSON API: the content security policy allows nothing to load
// or frame it; HSTS, nosniff, no referrer, DENY framing. The reference page (/docs) sets its own, narrow one.
const securityHeaders = helmet({
  contentSecurityPolicy: {
    useDefaults: false,
    directives: { defaultSrc: ["'none'"], baseUri: ["'none'"], formAction: ["'none'"], frameAncestors: ["'none'"] },
  },
  frameguard: { action: 'deny' },
  referrerPolicy: { policy: 'no-referrer' },
});

export function createApp(deps: AppDeps): express.Express {
  const app = express();
  app.disable('x-powered-by');
  // Which X-Forwarded-For hop is the client: the address the per-address rate limits count.
  app.set('trust proxy', deps.config.API_TRUST_PROXY);
  registerSagaStatusGauge(deps.db, { refreshSeconds: deps.config.METRICS_SAGA_STATUS_REFRESH_SECONDS });
  registerEventLoopDelay();
  const limits = createRateLimits(deps.config, deps.logger);

  // Untraced, the span middleware would make no-op spans at a fifth of an empty request's CPU (measured).
  if (deps.tracing?.processor) app.use(tracingMiddleware());
  app.use(requestContext(deps.logger));
  app.use(securityHeaders);
  // Answers under /v1 are one user's money and identity: no browser, proxy or CDN may keep them, errors included.
  app.use('/v1', (_req, res, next) => {
    res.setHeader('Cache-Control', 'no-store');
    next();
  });
  app.use(healthRouter(deps));
  app.use(docsRouter());
  // Operators' HTML pages (signed in by cookie, not bearer): counted per address like /v1.
  app.use('/admin', limits.byAddress);
  app.use(operatorPagesRouter(deps));
  // Counted before anything is parsed or verified: a flood costs one upsert per request, not a JWT or signature check.
  app.use('/v1', limits.byAddress);
  app.use('/v1/webhooks/circle', limits.webhookByAddress);
  // Before the JSON parser: the signature covers the raw bytes, and webhooks carry no bearer token.
  app.use(webhooksRouter(deps));
  app.use(express.json({ limit: '64kb' }));
  app.use('/v1', authenticate(deps));
  app.use('/v1', limits.byUser);
  for (const { method, path, bucket } of routeBuckets) app[method](path, limits[bucket]);
  app.use('/v1/admin', requireOperator);
  for (const router of v1Routers) app.use(router(deps));

  app.use(notFound);
  app.use(errorHandler);
  return app;
}
