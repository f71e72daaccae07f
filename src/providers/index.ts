import type { Config } from '../config.js';
import type { Logger } from '../logger.js';
import { createAlpacaBroker } from './alpaca/broker.js';
import { createCircleMint } from './circle/mint.js';
import { createCircleWallets } from './circle/wallets.js';
import { createOpenAiLlm } from './openai/llm.js';
import type { Providers } from './ports.js';
import { tracedProviders } from '../tracing.js';

export { circlePublicKeyFetcher, circleWebhookVerifier, verifyCircleWebhook } from './circle/webhook.js';

/**
 * The provider adapters over the official SDKs, configured from the environment. Base URLs and keys decide
 * where they go: the local sandbox by default, Circle / Alpaca / OpenAI with real keys and URLs. Each call is a
 * span of the caller's trace (src/tracing.ts).
 */
export function createProviders(config: Config, logger?: Logger): Providers {
  const log = logger?.child({ component: 'providers' });
  return tracedProviders({
    wallets: createCircleWallets(config, log),
    rails: createCircleMint(config, log),
    broker: createAlpacaBroker(config, log),
    llm: createOpenAiLlm(config, log),
  });
}
