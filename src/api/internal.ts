import type http from 'node:http';
import type { Config } from '../config.js';
import { startHealthServer } from '../health.js';
import type { Logger } from '../logger.js';
import { registry } from '../metrics.js';
import type { AppDeps } from './app.js';
import { readinessChecks } from './routes/health.js';

// The API's internal listener, for the cluster and never for the public: /metrics (request latencies, sagas by
// status) and /readyz with the state of each dependency. API.md puts metrics on an internal port; keeping the
// dependencies' names and errors off the public port tells a prober nothing about what runs behind it.

export function startInternalServer(
  config: Pick<Config, 'HTTP_HOST' | 'API_INTERNAL_PORT'>,
  deps: Pick<AppDeps, 'db' | 'temporal'>,
  logger: Logger,
): Promise<http.Server> {
  return startHealthServer({
    host: config.HTTP_HOST,
    port: config.API_INTERNAL_PORT,
    checks: readinessChecks(deps),
    routes: { '/metrics': async () => ({ contentType: registry.contentType, body: await registry.metrics() }) },
    logger,
  });
}
