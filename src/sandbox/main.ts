import '../load-env.js';
import { loadConfigOrExit } from '../config.js';
import { createLogger } from '../logger.js';
import { startSandbox } from './server.js';

// `npm run sandbox`: the provider sandbox on SANDBOX_HOST:SANDBOX_PORT for local development, delivering Circle
// webhooks to SANDBOX_WEBHOOK_URL and accepting the credentials the rest of the stack is configured with.

// The sandbox accepts any credentials it is configured with and moves no real money: a production process that
// reached it could report deposits that never happened. It never runs there, whatever else is configured.
if (process.env.NODE_ENV === 'production') {
  process.stderr.write('the provider sandbox does not run with NODE_ENV=production (it is for development and tests)\n');
  process.exit(78); // EX_CONFIG
}
const config = loadConfigOrExit();
const logger = createLogger(config.LOG_LEVEL, 'sandbox');

const sandbox = await startSandbox({
  host: config.SANDBOX_HOST,
  port: config.SANDBOX_PORT,
  webhookUrl: config.SANDBOX_WEBHOOK_URL,
  circleEntitySecret: config.CIRCLE_ENTITY_SECRET,
  logger,
  credentials: {
    circleApiKey: config.CIRCLE_API_KEY,
    alpacaKeyId: config.ALPACA_KEY_ID,
    alpacaSecretKey: config.ALPACA_SECRET_KEY,
    alpacaBrokerKey: config.ALPACA_BROKER_KEY,
    alpacaBrokerSecret: config.ALPACA_BROKER_SECRET,
    openaiApiKey: config.OPENAI_API_KEY,
  },
  firmAccountId: config.ALPACA_FIRM_ACCOUNT_ID,
  stepDelayMs: config.SANDBOX_STEP_DELAY_MS,
  timeoutHoldMs: config.SANDBOX_TIMEOUT_HOLD_MS,
});

let stopping = false;
async function shutdown(signal: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  logger.info({ signal }, 'sandbox stopping');
  await sandbox.stop();
  logger.info('sandbox stopped');
}
process.once('SIGTERM', () => void shutdown('SIGTERM'));
process.once('SIGINT', () => void shutdown('SIGINT'));
