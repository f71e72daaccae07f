import { z } from 'zod';
import { parsePayloadKeys } from './codec/keys.js';
import { productionConfigProblem } from './config-production.js';
import { temporalConnectionIssues } from './config-temporal.js';
import {
  minimumCircleNotificationRetentionHours,
  minimumEventRetentionHours,
  minimumIdempotencyKeyRetentionHours,
} from './domain/retention.js';

// The one schema of the environment. Every process (API, worker, sandbox, scripts) parses it once at start;
// defaults are the local development stack, documented in .env.example.
const bool = z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1');

/** AES-256-GCM keys, `id:base64key,...` (32 bytes each), as a map by id; empty when unset. */
const aesKeyring = () =>
  z
    .string()
    .default('')
    .transform((spec, ctx) => {
      const keys = parsePayloadKeys(spec);
      if (typeof keys === 'string') ctx.addIssue({ code: 'custom', message: keys });
      return typeof keys === 'string' ? new Map<string, Buffer>() : keys;
    });

const optionalString = z
  .string()
  .optional()
  .transform((v) => (v === '' ? undefined : v));

/** A comma-separated list, items trimmed, empty ones dropped; unset = none. */
const splitList = (v: string) =>
  v
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
const commaList = () => z.string().default('').transform(splitList);

export const defaultSummarySystemPrompt = [
  'You write the weekly account summary of a user of a mobile investing app.',
  'Answer in short markdown: one heading and at most five bullet points, under 120 words.',
  'Cite the exact figures you are given (amounts in USD); never invent, estimate or round numbers.',
  'Describe only what happened. Do not give investment advice, recommendations, forecasts or opinions',
  'about any security, and do not tell the user to buy, sell or hold anything.',
].join(' ');

export const configSchema = z
  .object({
    NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    /** OTLP/HTTP collector base URL (…/v1/traces is appended); unset: no traces are recorded (src/tracing.ts). */
    OTEL_EXPORTER_OTLP_ENDPOINT: z.url().optional(),

    DATABASE_URL: z.url().default('postgresql://root@127.0.0.1:5432/fundflow'),
    DATABASE_POOL_SIZE: z.coerce.number().int().min(1).max(100).default(10),

    TEMPORAL_ADDRESS: z.string().default('127.0.0.1:7233'),
    TEMPORAL_NAMESPACE: z.string().min(1).default('default'),
    TEMPORAL_TASK_QUEUE: z.string().default('fundflow'),
    TEMPORAL_UI_URL: z.url().default('http://127.0.0.1:8233'),
    /** Temporal Cloud's API key (sent as a bearer token, so TLS is on with it). */
    TEMPORAL_API_KEY: optionalString,
    /** TLS to the frontend; unset = on when TEMPORAL_API_KEY or any TEMPORAL_TLS_* is set (src/config-temporal.ts). */
    TEMPORAL_TLS: z.preprocess((v) => (v === '' ? undefined : v), bool.optional()),
    /** The CA the frontend's certificate chains to, as a PEM file or the PEM itself; unset = the system's roots. */
    TEMPORAL_TLS_SERVER_CA_CERT_PATH: optionalString,
    TEMPORAL_TLS_SERVER_CA_CERT_DATA: optionalString,
    /** Mutual TLS: this process's client certificate and its private key (a file or the PEM), always as a pair. */
    TEMPORAL_TLS_CLIENT_CERT_PATH: optionalString,
    TEMPORAL_TLS_CLIENT_CERT_DATA: optionalString,
    TEMPORAL_TLS_CLIENT_KEY_PATH: optionalString,
    TEMPORAL_TLS_CLIENT_KEY_DATA: optionalString,
    /** The name the frontend's certificate is checked against when it is not TEMPORAL_ADDRESS's host (SNI too). */
    TEMPORAL_TLS_SERVER_NAME: optionalString,
    /**
     * Payload encryption keys (AES-256-GCM), `id:base64key,...`, 32 bytes each: every key that may have encrypted a
     * payload still in history. Empty = payloads in plain text (development and tests only; required in production).
     */
    TEMPORAL_PAYLOAD_KEYS: aesKeyring(),
    /** The key id new payloads are encrypted with; may be omitted when TEMPORAL_PAYLOAD_KEYS holds one key. */
    TEMPORAL_PAYLOAD_KEY_ID: optionalString,
    /** The codec server (`npm run codec-server`): decodes payloads for the Web UI and CLI, for operators only. */
    CODEC_SERVER_PORT: z.coerce.number().int().min(0).max(65535).default(3003),
    /** Comma-separated browser origins allowed to call the codec server; empty = TEMPORAL_UI_URL's origin. */
    CODEC_SERVER_CORS_ORIGINS: z
      .string()
      .default('')
      .transform((v) => splitList(v).map((origin) => origin.replace(/\/+$/, ''))),

    HTTP_HOST: z.string().default('127.0.0.1'),
    HTTP_PORT: z.coerce.number().int().min(0).max(65535).default(3000),
    /** The API's internal listener: /metrics and /readyz with each dependency's state, for the cluster, not the public. */
    API_INTERNAL_PORT: z.coerce.number().int().min(0).max(65535).default(3002),
    /**
     * API processes behind HTTP_PORT (node:cluster: the first process forks them and serves API_INTERNAL_PORT);
     * 0 = one per core; unset = 1 (src/api/cluster.ts says why).
     */
    API_PROCESSES: z.preprocess((v) => (v === '' ? undefined : v), z.coerce.number().int().min(0).max(64).optional()),
    /** Seconds the server waits for in-flight requests after SIGTERM before it closes them. */
    SHUTDOWN_GRACE_SECONDS: z.coerce.number().min(0).default(10),
    /** How long a request waits for a saga's `accept` step before answering 503 (the run goes on regardless). */
    API_ACCEPT_TIMEOUT_SECONDS: z.coerce.number().positive().default(15),

    /**
     * Proxy hops in front of the API whose X-Forwarded-For is trusted for the client address (Express's `trust
     * proxy`); 0 = the socket's address. Behind a load balancer set it, or every client shares its address's bucket.
     */
    API_TRUST_PROXY: z.coerce.number().int().min(0).max(10).default(0),

    /** How long a Circle webhook key id that Circle did not give us is refused without asking Circle again. */
    CIRCLE_WEBHOOK_UNKNOWN_KEY_TTL_SECONDS: z.coerce.number().int().positive().default(300),
    /** Fetches of not-yet-known Circle webhook key ids per minute and API process; more are refused (401). */
    CIRCLE_WEBHOOK_KEY_FETCHES_PER_MINUTE: z.coerce.number().int().positive().default(30),

    /**
     * Request limits per client address and per user, counted in PostgreSQL (table rate_limits) so every API
     * process shares them. Unset = on in production only: everywhere else all clients are 127.0.0.1 and the bench
     * and chaos runs must measure the API, not its limiter.
     */
    RATE_LIMIT_ENABLED: z.preprocess((v) => (v === '' ? undefined : v), bool.optional()),
    RATE_LIMIT_WINDOW_SECONDS: z.coerce.number().int().positive().default(60),
    /** Requests per window from one client address to /v1 (the webhook excepted), counted before the token. */
    RATE_LIMIT_PER_ADDRESS: z.coerce.number().int().positive().default(600),
    /** Requests per window of one user (token subject) to /v1. */
    RATE_LIMIT_PER_USER: z.coerce.number().int().positive().default(300),
    /** POST /v1/withdrawals per window and user: money leaving, and a passcode guess each. */
    RATE_LIMIT_WITHDRAWALS_PER_USER: z.coerce.number().int().positive().default(10),
    /** POST /v1/deposits per window and user: each one makes us ask Circle about a transaction hash. */
    RATE_LIMIT_DEPOSIT_REPORTS_PER_USER: z.coerce.number().int().positive().default(30),
    /** POST /v1/webhooks/circle per window and address: unauthenticated until its signature is checked. */
    RATE_LIMIT_WEBHOOK_PER_ADDRESS: z.coerce.number().int().positive().default(300),
    /**
     * Requests per window and user that have a passcode checked (a withdrawal, a passcode change): each is a guess,
     * so fewer than anything else; the lockout counts wrong ones, this bounds them all.
     */
    RATE_LIMIT_PASSCODE_CHECKS_PER_USER: z.coerce.number().int().positive().default(5),

    /** The fundflow_sagas gauge (rows per status, on /metrics) counts its tables at most this often. */
    METRICS_SAGA_STATUS_REFRESH_SECONDS: z.coerce.number().min(0).default(30),

    /**
     * Idempotency keys are kept this long after their request, then purged by the retention schedule; at least a
     * day, because a client may retry a request (and must get the first answer) for that long.
     */
    IDEMPOTENCY_KEY_RETENTION_HOURS: z.coerce.number().int().min(minimumIdempotencyKeyRetentionHours).default(72),
    /** Handled Circle notifications are remembered this long (Circle redelivers for hours), then purged. */
    CIRCLE_NOTIFICATION_RETENTION_HOURS: z.coerce.number().int().min(minimumCircleNotificationRetentionHours).default(168),
    /** When the retention schedule purges old idempotency keys, notifications and expired rate limit rows (cron, UTC). */
    RETENTION_CRON: z.string().default('17 * * * *'),
    /** Rows one purge statement deletes at most: short statements, short locks. */
    RETENTION_BATCH_SIZE: z.coerce.number().int().min(1).max(100000).default(1000),

    /** How often the webhook dispatcher turns new events into deliveries and starts their runs (seconds). */
    WEBHOOK_DISPATCH_INTERVAL_SECONDS: z.coerce.number().min(0.1).max(300).default(2),
    /** First retry of a failed webhook delivery after this many seconds; each next one waits twice as long... */
    WEBHOOK_RETRY_INITIAL_SECONDS: z.coerce.number().min(0.1).default(5),
    /** ...up to this many seconds between attempts. */
    WEBHOOK_RETRY_MAX_INTERVAL_SECONDS: z.coerce.number().min(0.1).default(600),
    /** A delivery is retried this long before it is marked failed (an operator can replay it); later events of its resource wait. */
    WEBHOOK_RETRY_HOURS: z.coerce.number().positive().default(72),
    /** One delivery attempt waits this long for the receiver's answer. */
    WEBHOOK_TIMEOUT_SECONDS: z.coerce.number().positive().max(120).default(10),
    /**
     * Keys that encrypt webhook endpoints' signing secrets at rest (AES-256-GCM), `id:base64key,...`, 32 bytes each:
     * every key a stored secret may still be sealed with. Empty = secrets stored in plain text (development and tests
     * only; required in production). Worker starts re-seal every secret with the current key.
     */
    WEBHOOK_SECRET_KEYS: aesKeyring(),
    /** The key id new endpoint secrets are sealed with; may be omitted when WEBHOOK_SECRET_KEYS holds one key. */
    WEBHOOK_SECRET_KEY_ID: optionalString,
    /**
     * true: webhook endpoints may be (or resolve to) loopback, private, link-local or metadata addresses, over http —
     * for local receivers in development and tests. Never in production (the process refuses to start).
     */
    WEBHOOK_ALLOW_PRIVATE_URLS: bool.default(false),
    /**
     * Events and webhook deliveries (with their attempts) older than this are purged by the retention schedule; an
     * event with a delivery still pending, or not yet fanned out to an enabled endpoint, is kept. At least a day.
     */
    EVENT_RETENTION_HOURS: z.coerce.number().int().min(minimumEventRetentionHours).default(720),

    AUTH_JWT_SECRET: optionalString,
    AUTH_JWKS_URL: optionalString.pipe(z.url().optional()),
    AUTH_ISSUER: optionalString,
    AUTH_AUDIENCE: optionalString,
    /** Oldest token accepted, counted from its `iat` (tokens must carry `exp`, `iat` and `sub`). */
    AUTH_MAX_TOKEN_AGE_SECONDS: z.coerce.number().int().positive().default(43200),
    /**
     * How long an API process remembers a token it verified (src/api/auth.ts), 0 = never: a repeat skips the
     * signature check, never the expiry and age checks. Bounds how long a key removed from the JWKS still verifies.
     */
    AUTH_VERIFIED_TOKEN_CACHE_SECONDS: z.coerce.number().int().min(0).max(300).default(60),
    /** Operators' own audience: an operator token must be issued for it (customer tokens are not). */
    AUTH_OPERATOR_AUDIENCE: optionalString,
    /** Comma-separated `sub`s allowed to act as operators; empty = anyone with the operator claim (and audience). */
    AUTH_OPERATOR_SUBJECTS: commaList(),
    /** Operator routes need `amr` to contain "mfa" (a second factor at login). */
    AUTH_OPERATOR_REQUIRE_MFA: bool.default(false),

    /** Consecutive wrong passcodes that lock a user out for PASSCODE_LOCKOUT_SECONDS (counted in the database). */
    PASSCODE_MAX_FAILURES: z.coerce.number().int().min(1).default(5),
    PASSCODE_LOCKOUT_SECONDS: z.coerce.number().int().positive().default(900),
    /** Backoff after the n-th consecutive wrong passcode (n >= 2): this × 2^(n-2) seconds before the next try. */
    PASSCODE_BACKOFF_SECONDS: z.coerce.number().min(0).default(1),
    /** Changing an existing passcode holds withdrawals this long (a stolen session cannot change it and cash out). */
    PASSCODE_CHANGE_HOLD_HOURS: z.coerce.number().min(0).default(24),
    /** The smallest withdrawal, in USD. */
    WITHDRAWAL_MIN_USD: z
      .string()
      .regex(/^\d{1,16}(\.\d{1,2})?$/, 'a USD amount')
      .default('1.00'),
    /** Most a user may withdraw per UTC day (non-failed withdrawals), in USD. */
    WITHDRAWAL_DAILY_LIMIT_USD: z
      .string()
      .regex(/^\d{1,16}(\.\d{1,2})?$/, 'a USD amount')
      .default('10000.00'),
    /** Comma-separated addresses no withdrawal may target besides our wallets and USDC: the treasury wallets' and the like. */
    WITHDRAWAL_REFUSED_ADDRESSES: commaList(),

    SANDBOX_HOST: z.string().default('127.0.0.1'),
    SANDBOX_PORT: z.coerce.number().int().min(0).max(65535).default(4010),
    /** Where the sandbox delivers Circle webhooks (the API's webhook route). */
    SANDBOX_WEBHOOK_URL: z.url().default('http://127.0.0.1:3000/v1/webhooks/circle'),
    /** Delay between two states of a simulated transfer, payout, deposit, journal or fill. */
    SANDBOX_STEP_DELAY_MS: z.coerce.number().int().min(0).default(1000),
    /** How long the sandbox holds an answer when a `timeout` fault hits (longer than PROVIDER_TIMEOUT_MS). */
    SANDBOX_TIMEOUT_HOLD_MS: z.coerce.number().int().min(0).default(20000),

    /** Per-request deadline of every provider adapter; past it the call fails as a retryable `timeout`. */
    PROVIDER_TIMEOUT_MS: z.coerce.number().int().positive().default(15000),

    CIRCLE_API_KEY: z.string().default('TEST_API_KEY:sandbox:sandbox'),
    CIRCLE_ENTITY_SECRET: z
      .string()
      .regex(/^[0-9a-f]{64}$/i, 'a 32-byte hex string')
      .default('0'.repeat(63) + '1'),
    CIRCLE_WALLETS_BASE_URL: z.url().default('http://127.0.0.1:4010'),
    CIRCLE_MINT_BASE_URL: z.url().default('http://127.0.0.1:4010'),
    CIRCLE_WALLET_SET_ID: optionalString,
    /** The Mint wire bank account that off-ramped USD is paid out to (the broker's funding account). */
    CIRCLE_PAYOUT_BANK_ID: optionalString,
    /**
     * The treasury wallet per chain that sends every withdrawal; the withdrawal's on-ramp funds it from the Mint
     * balance, so its address must be in Mint's recipient book (saved once, approved by an admin on a real account).
     * Unset = created once at Circle.
     */
    CIRCLE_TREASURY_WALLET_ID_ETHEREUM: optionalString,
    CIRCLE_TREASURY_WALLET_ID_SOLANA: optionalString,
    ETHEREUM_BLOCKCHAIN: z.enum(['ETH', 'ETH-SEPOLIA']).default('ETH-SEPOLIA'),
    SOLANA_BLOCKCHAIN: z.enum(['SOL', 'SOL-DEVNET']).default('SOL-DEVNET'),
    /**
     * The USDC contract (ethereum) / mint (solana) whose transfers are credited and which withdrawals send; unset =
     * Circle's USDC on ETHEREUM_BLOCKCHAIN / SOLANA_BLOCKCHAIN. Only this address counts: a symbol can be faked.
     */
    USDC_ADDRESS_ETHEREUM: optionalString,
    USDC_ADDRESS_SOLANA: optionalString,
    /** Circle's token id of that USDC, when known: inbound transfers must carry it and withdrawals send by it. */
    CIRCLE_USDC_TOKEN_ID_ETHEREUM: optionalString,
    CIRCLE_USDC_TOKEN_ID_SOLANA: optionalString,

    ALPACA_KEY_ID: z.string().default('sandbox-key'),
    ALPACA_SECRET_KEY: z.string().default('sandbox-secret'),
    ALPACA_PAPER: bool.default(true),
    /** Overrides the Trading API origin the SDK would pick (paper or live); set for the sandbox. */
    ALPACA_TRADING_BASE_URL: z
      .union([z.literal(''), z.url()])
      .default('http://127.0.0.1:4010')
      .transform((v) => v || undefined),
    ALPACA_BROKER_BASE_URL: z.url().default('http://127.0.0.1:4010'),
    ALPACA_BROKER_KEY: z.string().default('sandbox-broker-key'),
    ALPACA_BROKER_SECRET: z.string().default('sandbox-broker-secret'),
    ALPACA_FIRM_ACCOUNT_ID: z.string().default('sandbox-firm-account'),
    /** The omnibus brokerage account journals fund; unset = the Trading API account (GET /v2/account). */
    ALPACA_ACCOUNT_ID: optionalString,
    /** Client-side request budget of the Alpaca SDK per host (Alpaca allows about 200 a minute). */
    ALPACA_RATE_LIMIT_PER_MINUTE: z.coerce.number().int().positive().default(200),
    /**
     * A sell given in USD holds amount / the broker's current price, plus this much, of the position (capped by
     * it): the notional order may fill at a lower price, and a fill is never paid beyond what was held.
     */
    SELL_HOLD_MARGIN_PERCENT: z.coerce.number().min(0).max(100).default(5),

    OPENAI_API_KEY: z.string().default('sk-sandbox'),
    OPENAI_BASE_URL: z.url().default('http://127.0.0.1:4010/v1'),
    OPENAI_MODEL: z.string().default('gpt-4o-mini'),

    SUMMARY_CRON: z.string().default('0 8 * * MON'),
    SUMMARY_CONCURRENCY: z.coerce.number().int().min(1).max(1000).default(20),
    /** Users per page of the weekly run; the run continues as new after each page, bounding its history. */
    SUMMARY_PAGE_SIZE: z.coerce.number().int().min(1).max(1000).default(200),
    /** The LLM's instructions for weekly summaries; empty = the built-in prompt (defaultSummarySystemPrompt). */
    SUMMARY_SYSTEM_PROMPT: optionalString.transform((v) => v ?? defaultSummarySystemPrompt),

    /** When the reconciliation against the providers runs (a Temporal Schedule, UTC cron): hourly by default. */
    RECONCILE_CRON: z.string().default('0 * * * *'),
    /** A break counts when a second look this much later finds it unchanged (money in flight moves on meanwhile). */
    RECONCILE_CONFIRM_AFTER_SECONDS: z.coerce.number().int().min(0).max(3600).default(120),

    /** The worker's own /healthz, /readyz and /metrics listener. */
    WORKER_HTTP_PORT: z.coerce.number().int().min(0).max(65535).default(3001),
    /** The Temporal SDK's own Prometheus exporter (task latencies, slots, polls); 0 turns it off. */
    WORKER_SDK_METRICS_PORT: z.coerce.number().int().min(0).max(65535).default(9464),
    /** A workflow bundle made by `npm run build` (dist/workflow-bundle.js; the image sets it); unset = bundle workflows/ at start. */
    WORKER_WORKFLOW_BUNDLE: optionalString,
    WORKER_MAX_CONCURRENT_WORKFLOW_TASKS: z.coerce.number().int().min(1).default(40),
    WORKER_MAX_CONCURRENT_ACTIVITIES: z.coerce.number().int().min(1).default(100),
    WORKER_MAX_CACHED_WORKFLOWS: z.coerce.number().int().min(0).default(1000),
    /** Long polls the worker keeps open per kind of task (the SDK's default, 10; bench/README.md). */
    WORKER_MAX_WORKFLOW_TASK_POLLS: z.coerce.number().int().min(2).default(10),
    WORKER_MAX_ACTIVITY_TASK_POLLS: z.coerce.number().int().min(1).default(10),
    /**
     * The task queues this worker process serves, comma-separated: `main` (the workflows and the activities that only
     * touch our database) and `circle`, `alpaca`, `openai` (each provider's calls, on `<TEMPORAL_TASK_QUEUE>-<name>`,
     * workflows/activities.ts). Every queue needs at least one process serving it; default all of them.
     */
    WORKER_TASK_QUEUES: z
      .string()
      .default('main,circle,alpaca,openai')
      .transform((v) => [...new Set(splitList(v))])
      .pipe(z.array(z.enum(['main', 'circle', 'alpaca', 'openai'])).min(1, 'at least one task queue')),
    /**
     * Activities per second a provider's task queue hands out, across every worker (Temporal's server-side task
     * queue rate limit); 0 = no limit. Defaults follow the providers' published limits (src/task-queues.ts).
     */
    WORKER_CIRCLE_ACTIVITIES_PER_SECOND: z.coerce.number().min(0).default(5),
    WORKER_ALPACA_ACTIVITIES_PER_SECOND: z.coerce.number().min(0).default(3),
    WORKER_OPENAI_ACTIVITIES_PER_SECOND: z.coerce.number().min(0).default(5),
  })
  .superRefine((config, ctx) => {
    for (const [variable, message] of temporalConnectionIssues(config)) ctx.addIssue({ code: 'custom', path: [variable], message });
  });

export type Config = z.infer<typeof configSchema>;

export class ConfigError extends Error {
  override name = 'ConfigError';
}

export const developmentJwtSecret = 'fundflow-development-secret-not-for-production';

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = configSchema.safeParse(env);
  if (!parsed.success) {
    // One line, so a process that refuses to start says why in the first line of its log.
    const issues = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`invalid configuration: ${issues.join('; ')}`);
  }
  const config = parsed.data;
  const keyIdProblem = payloadKeyIdProblem(config);
  if (keyIdProblem) throw new ConfigError(`invalid configuration: TEMPORAL_PAYLOAD_KEY_ID ${keyIdProblem}`);
  if (config.TEMPORAL_PAYLOAD_KEYS.size === 1) config.TEMPORAL_PAYLOAD_KEY_ID ??= [...config.TEMPORAL_PAYLOAD_KEYS.keys()][0];
  const secretKeyIdProblem = currentKeyIdProblem(config.WEBHOOK_SECRET_KEYS, config.WEBHOOK_SECRET_KEY_ID, 'WEBHOOK_SECRET_KEYS');
  if (secretKeyIdProblem) throw new ConfigError(`invalid configuration: WEBHOOK_SECRET_KEY_ID ${secretKeyIdProblem}`);
  if (config.WEBHOOK_SECRET_KEYS.size === 1) config.WEBHOOK_SECRET_KEY_ID ??= [...config.WEBHOOK_SECRET_KEYS.keys()][0];
  if (config.NODE_ENV === 'production') {
    const problem = productionConfigProblem(config, env);
    if (problem) throw new ConfigError(`invalid configuration: ${problem}`);
  }
  // Outside production a fixed, public secret lets `npm run dev` and `npm run token` agree with no setup.
  if (config.NODE_ENV !== 'production' && !config.AUTH_JWT_SECRET && !config.AUTH_JWKS_URL) {
    config.AUTH_JWT_SECRET = developmentJwtSecret;
  }
  return config;
}

function payloadKeyIdProblem(config: Config): string | undefined {
  return currentKeyIdProblem(config.TEMPORAL_PAYLOAD_KEYS, config.TEMPORAL_PAYLOAD_KEY_ID, 'TEMPORAL_PAYLOAD_KEYS');
}

function currentKeyIdProblem(keys: ReadonlyMap<string, Buffer>, id: string | undefined, variable: string): string | undefined {
  if (id && !keys.has(id)) return `"${id}" is not among ${variable}`;
  if (!id && keys.size > 1) return `must name the current key when ${variable} holds several`;
  return undefined;
}

/** loadConfig for a process entry point: a wrong configuration stops the process with its one-line reason. */
export function loadConfigOrExit(env: NodeJS.ProcessEnv = process.env): Config {
  try {
    return loadConfig(env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`${error.message}\n`);
    process.exit(78); // EX_CONFIG
  }
}
