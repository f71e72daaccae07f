import type { Config } from '../config.js';

// Links into the Temporal Web UI (TEMPORAL_UI_URL) for operators: a run's history, or the runs of a workflow id
// when no run is known (history retention passed, or Temporal did not answer).

const namespaceUrl = (config: Pick<Config, 'TEMPORAL_UI_URL' | 'TEMPORAL_NAMESPACE'>) =>
  `${config.TEMPORAL_UI_URL.replace(/\/$/, '')}/namespaces/${encodeURIComponent(config.TEMPORAL_NAMESPACE)}`;

export function temporalRunUrl(config: Pick<Config, 'TEMPORAL_UI_URL' | 'TEMPORAL_NAMESPACE'>, workflowId: string, runId: string): string {
  return `${namespaceUrl(config)}/workflows/${encodeURIComponent(workflowId)}/${runId}/history`;
}

export function temporalWorkflowRunsUrl(config: Pick<Config, 'TEMPORAL_UI_URL' | 'TEMPORAL_NAMESPACE'>, workflowId: string): string {
  const query = `WorkflowId="${workflowId.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
  return `${namespaceUrl(config)}/workflows?query=${encodeURIComponent(query)}`;
}
