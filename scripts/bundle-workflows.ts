import '../src/load-env.js';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';
import { workflowInterceptorModules, workflowsPath } from '../src/workflow-code.js';

// `npm run build`'s last step: the workflow code bundled once, as the worker would at every start, into the file
// WORKER_WORKFLOW_BUNDLE names (`node dist/scripts/bundle-workflows.js dist/workflow-bundle.js`).

const output = process.argv[2];
if (!output) {
  process.stderr.write('usage: bundle-workflows <output file>\n');
  process.exit(2);
}
const started = Date.now();
const { code } = await bundleWorkflowCode({ workflowsPath, workflowInterceptorModules });
await mkdir(path.dirname(path.resolve(output)), { recursive: true });
await writeFile(output, code);
console.log(`workflow bundle: ${output} (${(code.length / 1024).toFixed(0)} KiB, ${Date.now() - started} ms)`);
