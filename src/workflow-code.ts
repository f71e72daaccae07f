import path from 'node:path';
import type { WorkerOptions } from '@temporalio/worker';
import type { Config } from './config.js';
import { tracingWorkflowModule } from './tracing.js';

// Where a worker's workflow code comes from. Without WORKER_WORKFLOW_BUNDLE the SDK bundles workflows/ with webpack
// at every start (seconds of CPU before the first poll); the production image ships the bundle `npm run build` made
// once (scripts/bundle-workflows.ts) and names it there. Interceptors are compiled into a bundle, so the bundler and
// the worker take them from this one list.

// `.ts` when run by tsx from the sources, `.js` in the compiled build (dist/).
const extension = path.extname(import.meta.filename);
export const workflowsPath = path.resolve(import.meta.dirname, `../workflows/index${extension}`);
/**
 * The workflow interceptors: the one that routes each activity to its provider's queue (workflows/activities.ts),
 * then OpenTelemetry's (spans, and the trace in each command's headers; src/tracing.ts).
 */
export const workflowInterceptorModules = [path.resolve(import.meta.dirname, `../workflows/activities${extension}`), tracingWorkflowModule];

export function workflowCode(
  config: Pick<Config, 'WORKER_WORKFLOW_BUNDLE'>,
): Pick<WorkerOptions, 'workflowBundle' | 'workflowsPath' | 'interceptors'> {
  if (config.WORKER_WORKFLOW_BUNDLE) return { workflowBundle: { codePath: path.resolve(config.WORKER_WORKFLOW_BUNDLE) } };
  return { workflowsPath, interceptors: { workflowModules: workflowInterceptorModules } };
}
