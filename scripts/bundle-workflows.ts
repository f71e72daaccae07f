import '../src/load-env.js';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';
import { tracedBundlePath, workflowInterceptorModules, workflowsPath } from '../src/workflow-code.js';

// `npm run build`'s last step: the workflow code bundled once, as the worker would at every start, into the file
// WORKER_WORKFLOW_BUNDLE names (`node dist/scripts/bundle-workflows.js dist/workflow-bundle.js`), and with
// OpenTelemetry's interceptors next to it (`dist/workflow-bundle.traced.js`) for a worker that exports traces.

const output = process.argv[2];
if (!output) {
  process.stderr.write('usage: bundle-workflows <output file>\n');
  process.exit(2);
}
for (const [file, traced] of [
  [output, false],
  [tracedBundlePath(output), true],
] as const) {
  const started = Date.now();
  const { code } = await bundleWorkflowCode({ workflowsPath, workflowInterceptorModules: workflowInterceptorModules(traced) });
  await mkdir(path.dirname(path.resolve(file)), { recursive: true });
  await writeFile(file, code);
  console.log(`workflow bundle: ${file} (${(code.length / 1024).toFixed(0)} KiB, ${Date.now() - started} ms)`);
}
