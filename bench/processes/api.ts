import cluster from 'node:cluster';
import express from 'express';
import { z } from 'zod';
import { startWithAccept, type SagaWorkflowType } from '../../src/api/accept.js';
import { createApp } from '../../src/api/app.js';
import { apiProcesses, runApiCluster, serveClusterRequests } from '../../src/api/cluster.js';
import { readinessChecks } from '../../src/api/routes/health.js';
import { startInternalServer } from '../../src/api/internal.js';
import { loadConfig } from '../../src/config.js';
import { createDb } from '../../src/db/client.js';
import { createLogger } from '../../src/logger.js';
import { createProviders } from '../../src/providers/index.js';
import { connectClient } from '../../src/temporal.js';
import { baselineTaskQueue } from './queues.js';

// The benchmark's API process: the real app (as server.ts builds it) behind one extra route that starts the
// baseline workflow through the same startWithAccept, Temporal client and process as the sagas' routes.

const config = loadConfig();
const logger = createLogger(config.LOG_LEVEL, 'bench-api');
// API_PROCESSES > 1 (BENCH_API_PROCESSES): the same cluster as server.ts runs.
if (cluster.isPrimary && apiProcesses(config) > 1) {
  await runApiCluster(config, logger, apiProcesses(config));
  process.exit(0);
}
const db = createDb(config.DATABASE_URL, config.DATABASE_POOL_SIZE);
const temporal = await connectClient(config);
const baselineDeps = { temporal, config: { ...config, TEMPORAL_TASK_QUEUE: baselineTaskQueue(config) } };
const baselineBody = z.object({
  workflowId: z.string(),
  input: z.object({ userId: z.string(), kind: z.string(), accept: z.any(), steps: z.array(z.any()) }),
});

const app = express();
app.post('/bench/baseline', express.json(), async (req, res) => {
  const { workflowId, input } = baselineBody.parse(req.body);
  const id = await startWithAccept(baselineDeps, { workflowType: 'baselineWorkflow' as SagaWorkflowType, workflowId, input });
  res.status(202).json({ id });
});
app.use(createApp({ config, db, temporal, logger, providers: createProviders(config, logger) }));
app.listen(config.HTTP_PORT, config.HTTP_HOST);
// /metrics, as server.ts serves it: the API phase reads the event-loop delay there.
if (cluster.isWorker) serveClusterRequests(readinessChecks({ db, temporal }));
else await startInternalServer(config, { db, temporal }, logger);
// Exits on SIGTERM (the stack's stop) rather than being killed by it, so that --cpu-prof writes its profile.
process.once('SIGTERM', () => process.exit(0));
