import '../load-env.js';
import { loadConfigOrExit } from '../config.js';
import { createLogger } from '../logger.js';
import { codecCorsOrigins, startCodecServer } from './server.js';

// `npm run codec-server`: its own process, so the payload keys that decrypt for people live apart from the API that
// customers reach. Stops on SIGTERM/SIGINT once in-flight requests are answered.

const config = loadConfigOrExit();
const logger = createLogger(config.LOG_LEVEL, 'codec-server');
const server = await startCodecServer({ config, logger }).catch((error: Error) => {
  process.stderr.write(`${error.message}\n`);
  process.exit(78); // EX_CONFIG
});
logger.info(
  { address: server.address(), corsOrigins: codecCorsOrigins(config), namespace: config.TEMPORAL_NAMESPACE },
  'codec server listening',
);

for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.once(signal, () => server.close(() => logger.info('codec server stopped')));
}
