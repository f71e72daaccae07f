import type { Config } from '../../src/config.js';

/** The baseline's task queue: next to the production queue, never sharing its tasks. */
export const baselineTaskQueue = (config: Config) => `${config.TEMPORAL_TASK_QUEUE}-baseline`;
