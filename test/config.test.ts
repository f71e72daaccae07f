import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, configSchema, loadConfig } from '../src/config.js';
import { shippedSecrets } from '../src/config-production.js';
import { realProviderEnv, strongPassword } from './helpers/production-env.js';

const envExample = readFileSync(path.resolve(import.meta.dirname, '../.env.example'), 'utf8');
const documented = new Map(
  envExample
    .split('\n')
    .map((line) => /^#?\s*([A-Z][A-Z0-9_]*)=(.*)$/.exec(line))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => [m[1]!, m[2]!]),
);

describe('configuration', () => {
  it('documents every variable of the schema in .env.example, and nothing else', () => {
    expect([...documented.keys()].sort()).toEqual(Object.keys(configSchema.shape).sort());
  });

  it('documents the defaults the schema really applies', () => {
    const defaults = loadConfig({});
    for (const [key, value] of documented) {
      if (value === '') continue; // unset by default
      expect(String(defaults[key as keyof typeof defaults]), key).toBe(String(loadConfig({ [key]: value })[key as keyof typeof defaults]));
    }
  });

  it('names each invalid variable in one error', () => {
    expect(() => loadConfig({ HTTP_PORT: 'eighty', DATABASE_URL: 'not a url' })).toThrowError(ConfigError);
    expect(() => loadConfig({ HTTP_PORT: 'eighty', DATABASE_URL: 'not a url' })).toThrowError(
      /HTTP_PORT[\s\S]*DATABASE_URL|DATABASE_URL[\s\S]*HTTP_PORT/,
    );
  });

  it('a worker serves every task queue by default, or the subset WORKER_TASK_QUEUES names, and no unknown one', () => {
    expect(loadConfig({}).WORKER_TASK_QUEUES).toEqual(['main', 'circle', 'alpaca', 'openai']);
    expect(loadConfig({ WORKER_TASK_QUEUES: ' alpaca,circle,alpaca ' }).WORKER_TASK_QUEUES).toEqual(['alpaca', 'circle']);
    expect(() => loadConfig({ WORKER_TASK_QUEUES: 'main,stripe' })).toThrow(/WORKER_TASK_QUEUES/);
    expect(() => loadConfig({ WORKER_TASK_QUEUES: ',' })).toThrow(/WORKER_TASK_QUEUES/);
  });

  it('refuses to run in production without a way to verify tokens', () => {
    expect(() => loadConfig({ NODE_ENV: 'production' })).toThrowError(/AUTH_JWT_SECRET.*AUTH_JWKS_URL/);
    const { AUTH_JWKS_URL: _, ...withSecret } = productionEnv;
    const secret = 'a-random-32-byte-secret-for-hs256-tokens';
    expect(loadConfig({ ...withSecret, AUTH_JWT_SECRET: secret }).AUTH_JWT_SECRET).toBe(secret);
  });
});

// A production configuration that should start: strong secrets, the real providers, issuer and audiences.
const productionEnv: Record<string, string> = {
  NODE_ENV: 'production',
  DATABASE_URL: `postgresql://fundflow:${strongPassword}@db.internal:5432/fundflow`,
  ...realProviderEnv,
  ALPACA_TRADING_BASE_URL: '',
};
const secretVariables = [
  'AUTH_JWT_SECRET',
  'CIRCLE_API_KEY',
  'CIRCLE_ENTITY_SECRET',
  'ALPACA_SECRET_KEY',
  'ALPACA_BROKER_SECRET',
  'OPENAI_API_KEY',
];
const providerUrlVariables = [
  'CIRCLE_WALLETS_BASE_URL',
  'CIRCLE_MINT_BASE_URL',
  'ALPACA_TRADING_BASE_URL',
  'ALPACA_BROKER_BASE_URL',
  'OPENAI_BASE_URL',
];

/** The one line a production process stops with; it names `variable` first. */
function refusal(env: Record<string, string | undefined>): string {
  try {
    loadConfig(env as NodeJS.ProcessEnv);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  }
  throw new Error(`started with ${JSON.stringify(env)}`);
}
const namesOnly = (variable: string) => new RegExp(`^invalid configuration: ${variable}[: ][^\\n]+$`);
/** For AUTH_JWT_SECRET the JWKS URL goes away, so the secret is the way tokens are verified. */
const withSecret = (variable: string, value: string | undefined) => {
  const env: Record<string, string | undefined> = { ...productionEnv, [variable]: value };
  if (variable === 'AUTH_JWT_SECRET') delete env.AUTH_JWKS_URL;
  return env;
};

describe('a production configuration fails closed', () => {
  it('starts with strong secrets, real provider URLs, an issuer and the audiences', () => {
    expect(loadConfig(productionEnv).NODE_ENV).toBe('production');
  });

  it.each(secretVariables)('refuses a missing %s, in one line naming it', (variable) => {
    expect(refusal(withSecret(variable, undefined))).toMatch(namesOnly(variable));
    expect(refusal(withSecret(variable, ''))).toMatch(namesOnly(variable));
  });

  it.each(secretVariables.filter((v) => v !== 'CIRCLE_ENTITY_SECRET'))('refuses a %s shorter than 32 bytes', (variable) => {
    expect(refusal(withSecret(variable, 'short-but-not-empty-31-bytes-xx'))).toMatch(namesOnly(variable));
    expect(() =>
      loadConfig(withSecret(variable, `${productionEnv[variable] ?? 'a-strong-secret'}-padded-to-32-bytes-or-more`) as NodeJS.ProcessEnv),
    ).not.toThrow();
  });

  it('refuses every secret the repository ever shipped, wherever it is put', () => {
    for (const shipped of shippedSecrets) {
      for (const variable of secretVariables.filter((v) => v !== 'CIRCLE_ENTITY_SECRET')) {
        expect(refusal(withSecret(variable, shipped)), `${variable}=${shipped}`).toMatch(namesOnly(variable));
      }
    }
    expect(refusal(withSecret('CIRCLE_ENTITY_SECRET', '0'.repeat(63) + '1'))).toMatch(namesOnly('CIRCLE_ENTITY_SECRET'));
    for (const variable of ['ALPACA_KEY_ID', 'ALPACA_BROKER_KEY', 'ALPACA_FIRM_ACCOUNT_ID']) {
      expect(refusal({ ...productionEnv, [variable]: undefined })).toMatch(namesOnly(variable));
    }
    expect(refusal({ ...productionEnv, ALPACA_KEY_ID: 'sandbox-key' })).toMatch(namesOnly('ALPACA_KEY_ID'));
    expect(refusal({ ...productionEnv, DATABASE_URL: 'postgresql://fundflow:fundflow@postgres:5432/fundflow' })).toMatch(
      namesOnly('DATABASE_URL'),
    );
  });

  it('knows every secret value the repository ships today', () => {
    // Any literal given to a *_SECRET / *_KEY variable in the tracked files must be on the list the check refuses.
    const files = [
      '.env.example',
      'docker-compose.yml',
      'src/config.ts',
      'test/api/harness.ts',
      'test/process/lifecycle.test.ts',
      'scripts/lib/stack.ts',
    ];
    const literal = /(?:SECRET|_KEY)[A-Z_]*['"]?\s*[:=]\s*(?:z\.string\(\)\.default\()?['"]?([A-Za-z0-9_:.-]{4,})/g;
    for (const file of files) {
      const text = readFileSync(path.resolve(import.meta.dirname, '..', file), 'utf8');
      for (const [, value] of text.matchAll(literal)) {
        if (/^(z|optionalString|true|false)$/.test(value!)) continue;
        expect(refusal(withSecret('ALPACA_SECRET_KEY', value)), `${file}: ${value}`).toMatch(namesOnly('ALPACA_SECRET_KEY'));
      }
    }
  });

  it.each(providerUrlVariables)('refuses a %s at the sandbox, a loopback address or without TLS', (variable) => {
    for (const url of [
      'http://127.0.0.1:4010',
      'http://localhost:4010/v1',
      'http://sandbox:4010',
      'https://[::1]:4010',
      'https://0.0.0.0',
      'http://api.example.com',
    ]) {
      expect(refusal({ ...productionEnv, [variable]: url }), url).toMatch(namesOnly(variable));
    }
  });

  it('refuses a provider URL left to its default (the local sandbox)', () => {
    expect(refusal({ ...productionEnv, CIRCLE_WALLETS_BASE_URL: undefined })).toMatch(namesOnly('CIRCLE_WALLETS_BASE_URL'));
    expect(refusal({ ...productionEnv, CIRCLE_API_KEY: 'TEST_API_KEY:sandbox:sandbox-but-made-long-enough' })).toMatch(
      namesOnly('CIRCLE_API_KEY'),
    );
  });

  it('requires an issuer, an audience and a way to tell operators apart', () => {
    expect(refusal({ ...productionEnv, AUTH_ISSUER: undefined })).toMatch(namesOnly('AUTH_ISSUER'));
    expect(refusal({ ...productionEnv, AUTH_AUDIENCE: '' })).toMatch(namesOnly('AUTH_AUDIENCE'));
    expect(refusal({ ...productionEnv, AUTH_OPERATOR_AUDIENCE: undefined })).toMatch(namesOnly('AUTH_OPERATOR_AUDIENCE'));
    expect(refusal({ ...productionEnv, AUTH_OPERATOR_AUDIENCE: 'fundflow-api' })).toMatch(namesOnly('AUTH_OPERATOR_AUDIENCE'));
    expect(
      loadConfig({ ...productionEnv, AUTH_OPERATOR_AUDIENCE: undefined, AUTH_OPERATOR_SUBJECTS: 'ops-1, ops-2' }).AUTH_OPERATOR_SUBJECTS,
    ).toEqual(['ops-1', 'ops-2']);
    expect(refusal({ ...productionEnv, AUTH_JWKS_URL: 'http://127.0.0.1:9999/jwks.json' })).toMatch(namesOnly('AUTH_JWKS_URL'));
  });
});
