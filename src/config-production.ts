import type { Config } from './config.js';

// What a production process must refuse to start with, beyond what the schema's types say: configuration that
// fails closed. Each rule names the variable, so the process can stop with one line an operator can act on.

/**
 * Every secret value this repository ever shipped (defaults, examples, compose fallbacks, test fixtures; from
 * `git log -p` of .env.example, docker-compose.yml, src/config.ts, src/api/dev-token.ts, the test harnesses and
 * scripts/lib/stack.ts). Anyone can read them, so none of them may guard real money. Add to it, never remove.
 */
export const shippedSecrets: readonly string[] = [
  'fundflow-development-secret-not-for-production',
  'change-me-in-production-please',
  'api-test-secret',
  'lifecycle-secret',
  'another-secret',
  'TEST_API_KEY:sandbox:sandbox',
  '0'.repeat(63) + '1',
  'sandbox-key',
  'sandbox-secret',
  'sandbox-broker-key',
  'sandbox-broker-secret',
  'sandbox-firm-account',
  'sk-sandbox',
  'fundflow',
  's3cret',
];

/** Secrets that must be set explicitly in production: never a schema default, at least 32 bytes, never shipped. */
const requiredSecrets = ['CIRCLE_API_KEY', 'CIRCLE_ENTITY_SECRET', 'ALPACA_SECRET_KEY', 'ALPACA_BROKER_SECRET', 'OPENAI_API_KEY'] as const;

/** Key ids: not secret by themselves, but a shipped one means the process talks to the sandbox. */
const requiredKeyIds = ['ALPACA_KEY_ID', 'ALPACA_BROKER_KEY', 'ALPACA_FIRM_ACCOUNT_ID'] as const;

const providerUrls = [
  'CIRCLE_WALLETS_BASE_URL',
  'CIRCLE_MINT_BASE_URL',
  'ALPACA_TRADING_BASE_URL',
  'ALPACA_BROKER_BASE_URL',
  'OPENAI_BASE_URL',
] as const;

export const minimumSecretBytes = 32;

const isShipped = (value: string) => shippedSecrets.includes(value) || /^[a-z]+-secret$/.test(value);

function secretProblem(value: string | undefined): string | undefined {
  if (!value) return 'is required in production';
  if (isShipped(value)) return 'is a value this repository ships (public): set a fresh random secret';
  if (Buffer.byteLength(value, 'utf8') < minimumSecretBytes) return `is shorter than ${minimumSecretBytes} bytes`;
  return undefined;
}

/** Loopback, unspecified and the compose sandbox's host: never a real provider or identity issuer. */
function localUrlProblem(value: string): string | undefined {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return 'is not a URL';
  }
  const host = url.hostname.replace(/^\[|\]$/g, '').toLowerCase();
  if (
    host === 'localhost' ||
    host.endsWith('.localhost') ||
    host === 'sandbox' ||
    host === '0.0.0.0' ||
    host === '::1' ||
    host === '::' ||
    /^127\./.test(host) ||
    /^::ffff:127\./.test(host)
  ) {
    return `points at the sandbox or a loopback address (${url.host})`;
  }
  if (url.protocol !== 'https:') return 'must be an https URL in production';
  return undefined;
}

/**
 * The first reason this production configuration must not start, as `VARIABLE: what is wrong`, or undefined.
 * `env` is the raw environment: a secret left to its schema default counts as missing.
 */
export function productionConfigProblem(config: Config, env: NodeJS.ProcessEnv): string | undefined {
  const problems: [string, string | undefined][] = [];

  if (config.AUTH_JWKS_URL) problems.push(['AUTH_JWKS_URL', localUrlProblem(config.AUTH_JWKS_URL)]);
  else
    problems.push([
      'AUTH_JWT_SECRET',
      config.AUTH_JWT_SECRET ? secretProblem(config.AUTH_JWT_SECRET) : 'is required in production (or AUTH_JWKS_URL)',
    ]);
  problems.push(['AUTH_ISSUER', config.AUTH_ISSUER ? undefined : 'is required in production']);
  problems.push(['AUTH_AUDIENCE', config.AUTH_AUDIENCE ? undefined : 'is required in production']);
  if (!config.AUTH_OPERATOR_AUDIENCE && config.AUTH_OPERATOR_SUBJECTS.length === 0) {
    problems.push(['AUTH_OPERATOR_AUDIENCE', 'or AUTH_OPERATOR_SUBJECTS is required in production (who is an operator)']);
  }
  if (config.AUTH_OPERATOR_AUDIENCE && config.AUTH_OPERATOR_AUDIENCE === config.AUTH_AUDIENCE) {
    problems.push(['AUTH_OPERATOR_AUDIENCE', 'must differ from AUTH_AUDIENCE']);
  }

  for (const name of requiredSecrets) problems.push([name, secretProblem(env[name] ? config[name] : undefined)]);
  for (const name of requiredKeyIds) {
    const value = env[name] ? config[name] : undefined;
    problems.push([name, !value ? 'is required in production' : isShipped(value) ? "is the sandbox's (public) value" : undefined]);
  }
  if (config.CIRCLE_API_KEY.includes(':sandbox')) problems.push(['CIRCLE_API_KEY', 'is a sandbox key']);
  if (config.TEMPORAL_API_KEY) problems.push(['TEMPORAL_API_KEY', secretProblem(config.TEMPORAL_API_KEY)]);
  problems.push([
    'TEMPORAL_PAYLOAD_KEYS',
    config.TEMPORAL_PAYLOAD_KEYS.size > 0 ? undefined : 'is required in production (payloads are encrypted before they reach Temporal)',
  ]);
  problems.push([
    'WEBHOOK_SECRET_KEYS',
    config.WEBHOOK_SECRET_KEYS.size > 0 ? undefined : 'is required in production (webhook signing secrets are encrypted at rest)',
  ]);
  problems.push([
    'WEBHOOK_ALLOW_PRIVATE_URLS',
    config.WEBHOOK_ALLOW_PRIVATE_URLS ? 'must not be true in production (webhooks to internal addresses)' : undefined,
  ]);

  for (const name of providerUrls) {
    const value = config[name];
    if (value === undefined) continue; // ALPACA_TRADING_BASE_URL empty: the SDK's own (real) origin
    problems.push([name, env[name] ? localUrlProblem(value) : 'is required in production']);
  }

  const databasePassword = decodeURIComponent(new URL(config.DATABASE_URL).password);
  if (databasePassword && isShipped(databasePassword)) {
    problems.push(['DATABASE_URL', 'carries a password this repository ships (public)']);
  }

  const first = problems.find(([, problem]) => problem !== undefined);
  return first && `${first[0]} ${first[1]}`;
}
