import { loadConfig, type Config } from '../../src/config.js';
import { startSandbox, type Sandbox, type SandboxOptions } from '../../src/sandbox/server.js';
import { SandboxControl } from '../../src/sandbox/client.js';

// The one way tests reach the outside world: a provider sandbox on a free port, a Config whose provider base
// URLs point at it (the official SDK adapters run unchanged), and a typed client for its control API.

/** Adapters give up after this long in tests, so a `timeout` fault (held longer) costs little. */
export const testProviderTimeoutMs = 1_500;

export interface TestSandbox extends Sandbox {
  control: SandboxControl;
  /** A Config for this sandbox (see sandboxConfig). */
  config(overrides?: Record<string, string>): Config;
}

/** Starts a sandbox on a free port, accepting the credentials of the test environment's config. */
export async function startTestSandbox(opts: SandboxOptions = {}): Promise<TestSandbox> {
  const env = loadConfig({ ...process.env });
  const sandbox = await startSandbox({
    circleEntitySecret: env.CIRCLE_ENTITY_SECRET,
    firmAccountId: env.ALPACA_FIRM_ACCOUNT_ID,
    timeoutHoldMs: testProviderTimeoutMs * 2,
    ...opts,
    credentials: {
      circleApiKey: env.CIRCLE_API_KEY,
      alpacaKeyId: env.ALPACA_KEY_ID,
      alpacaSecretKey: env.ALPACA_SECRET_KEY,
      alpacaBrokerKey: env.ALPACA_BROKER_KEY,
      alpacaBrokerSecret: env.ALPACA_BROKER_SECRET,
      openaiApiKey: env.OPENAI_API_KEY,
      ...opts.credentials,
    },
  });
  return {
    ...sandbox,
    control: new SandboxControl(sandbox.url),
    config: (overrides) => sandboxConfig(sandbox.url, overrides),
  };
}

/** The environment's config with every provider base URL pointed at the sandbox at `sandboxUrl`. */
export function sandboxConfig(sandboxUrl: string, overrides: Record<string, string> = {}): Config {
  return loadConfig({
    ...process.env,
    CIRCLE_WALLETS_BASE_URL: sandboxUrl,
    CIRCLE_MINT_BASE_URL: sandboxUrl,
    ALPACA_TRADING_BASE_URL: sandboxUrl,
    ALPACA_BROKER_BASE_URL: sandboxUrl,
    OPENAI_BASE_URL: `${sandboxUrl}/v1`,
    PROVIDER_TIMEOUT_MS: String(testProviderTimeoutMs),
    // The sandbox has no rate limit; the SDK's client-side budget (200/min) would only slow polling tests down.
    ALPACA_RATE_LIMIT_PER_MINUTE: '100000',
    // Nor do the provider task queues' rate limits model anything the sandbox enforces.
    WORKER_CIRCLE_ACTIVITIES_PER_SECOND: '0',
    WORKER_ALPACA_ACTIVITIES_PER_SECOND: '0',
    WORKER_OPENAI_ACTIVITIES_PER_SECOND: '0',
    ...overrides,
  });
}

export { SandboxControl, type InboundTransfer } from '../../src/sandbox/client.js';
