import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { startTemporalServer } from './lib/temporal-server.js';
import { repoRoot, step } from './lib/tools.js';

// `npm run temporal`: the Temporal dev server alone, persistent in .data/, Web UI on 8233, until Ctrl-C.
export async function startDevTemporal(options: { uiCodecEndpoint?: string } = {}) {
  const dataDir = path.join(repoRoot, '.data');
  await mkdir(dataDir, { recursive: true });
  return startTemporalServer({
    port: 7233,
    uiPort: 8233,
    metricsPort: 9233,
    dbFile: path.join(dataDir, 'temporal.sqlite'),
    logLevel: 'error',
    uiCodecEndpoint: options.uiCodecEndpoint,
  });
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const server = await startDevTemporal();
  step(`Temporal at ${server.address}, Web UI at ${server.uiUrl}`);
  const stop = () => void server.stop().then(() => process.exit(0));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}
