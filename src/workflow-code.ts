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
/** Routes each activity to its provider's queue (workflows/activities.ts): in every worker's workflow code. */
export const routingInterceptorModule = path.resolve(import.meta.dirname, `../workflows/activities${extension}`);

/**
 * The workflow interceptors: the routing one, then OpenTelemetry's (spans, and the trace in each command's headers;
 * src/tracing.ts) only where the worker exports traces. Untraced, those spans were made and dropped: 40% of the
 * workflow thread's CPU in a deposit (bench/README.md). A worker may change between the two at any deploy: neither
 * adds or reorders a command (OpenTelemetry's interceptor yields no extra time since the SDK flag
 * OpenTelemetryInterceporsAvoidsExtraYields), and test/replay replays every recorded history with both.
 */
export function workflowInterceptorModules(traced: boolean): string[] {
  return traced ? [routingInterceptorModule, tracingWorkflowModule] : [routingInterceptorModule];
}

/** The prebuilt bundle with OpenTelemetry's interceptors, next to the one WORKER_WORKFLOW_BUNDLE names. */
export function tracedBundlePath(bundle: string): string {
  return bundle.replace(/(\.js)?$/, '.traced.js');
}

export function workflowCode(
  config: Pick<Config, 'WORKER_WORKFLOW_BUNDLE'>,
  traced: boolean,
): Pick<WorkerOptions, 'workflowBundle' | 'workflowsPath' | 'interceptors'> {
  const bundle = config.WORKER_WORKFLOW_BUNDLE;
  if (bundle) return { workflowBundle: { codePath: path.resolve(traced ? tracedBundlePath(bundle) : bundle) } };
  return { workflowsPath, interceptors: { workflowModules: workflowInterceptorModules(traced) } };
}
