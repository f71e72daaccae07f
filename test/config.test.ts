import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, configSchema, loadConfig } from '../src/config.js';
import { shippedSecrets } from '../src/config-production.js';

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
      expect(String(defaults[key as keyof typeof defaults]), key).toBe(
        String(loadConfig({ [key]: value })[key as keyof typeof defaults]),
      );
    }
  });

  it('names each invalid variable in one error', () => {
    expect(() => loadConfig({ HTTP_PORT: 'eighty', DATABASE_URL: 'not a url' })).toThrowError(ConfigError);
    expect(() => loadConfig({ HTTP_PORT: 'eighty', DATABASE_URL: 'not a url' })).toThrowError(/HTTP_PORT[\s\S]*DATABASE_URL|DATABASE_URL[\s\S]*HTTP_PORT/);
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
  DATABASE_URL: 'postgresql://fundflow:Zq8vN2rT5wXy7bC4dF6gH9jK3mP1sL0e@db.internal:5432/fundflow',
  AUTH_JWKS_URL: 'https://id.fundflow.example/.well-known/jwks.json',
  AUTH_ISSUER: 'https://id.fundflow.example/',
  AUTH_AUDIENCE: 'fundflow-api',
  AUTH_OPERATOR_AUDIENCE: 'fundflow-operators',
  CIRCLE_API_KEY: 'LIVE_API_KEY:8f1c2a9e4b7d6f3a0c5e8b2d9f4a7c1e:3b6e9d2c5f8a1b4e7d0c3f6a9b2e5d8c',
  CIRCLE_ENTITY_SECRET: '9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08',
  CIRCLE_WALLETS_BASE_URL: 'https://api.circle.com',
  CIRCLE_MINT_BASE_URL: 'https://api.circle.com',
  ALPACA_KEY_ID: 'AKFZ3Q2XH7L9M4N8P5R1',
  ALPACA_SECRET_KEY: 'xW9kQ2mN7vB4cR8tY5uJ3hL6gF1dS0aZpE2oI4qK',
  ALPACA_TRADING_BASE_URL: '',
  ALPACA_BROKER_BASE_URL: 'https://broker-api.alpaca.markets',
  ALPACA_BROKER_KEY: 'CKT4W8Y2U6I0O3P7A1S5',
  ALPACA_BROKER_SECRET: 'Lm3Nb7Vc1Xz5Qw9Er2Ty6Ui0Op4As8Df3Gh7Jk1',
  ALPACA_FIRM_ACCOUNT_ID: '8f2e6c1a-3b5d-4e7f-9a0b-1c2d3e4f5a6b',
  OPENAI_API_KEY: 'sk-proj-Qe4Rt8Yu2Io6Pa0Sd3Fg7Hj1Kl5Zx9Cv4Bn8Mq2',
  OPENAI_BASE_URL: 'https://api.openai.com/v1',
};
const secretVariables = ['AUTH_JWT_SECRET', 'CIRCLE_API_KEY', 'CIRCLE_ENTITY_SECRET', 'ALPACA_SECRET_KEY', 'ALPACA_BROKER_SECRET', 'OPENAI_API_KEY'];
const providerUrlVariables = ['CIRCLE_WALLETS_BASE_URL', 'CIRCLE_MINT_BASE_URL', 'ALPACA_TRADING_BASE_URL', 'ALPACA_BROKER_BASE_URL', 'OPENAI_BASE_URL'];

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
    expect(() => loadConfig(withSecret(variable, `${productionEnv[variable] ?? 'a-strong-secret'}-padded-to-32-bytes-or-more`) as NodeJS.ProcessEnv)).not.toThrow();
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
    expect(refusal({ ...productionEnv, DATABASE_URL: 'postgresql://fundflow:fundflow@postgres:5432/fundflow' })).toMatch(namesOnly('DATABASE_URL'));
  });

  it('knows every secret value the repository ships today', () => {
    // Any literal given to a *_SECRET / *_KEY variable in the tracked files must be on the list the check refuses.
    const files = ['.env.example', 'docker-compose.yml', 'src/config.ts', 'test/api/harness.ts', 'test/process/lifecycle.test.ts', 'scripts/lib/stack.ts'];
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
    for (const url of ['http://127.0.0.1:4010', 'http://localhost:4010/v1', 'http://sandbox:4010', 'https://[::1]:4010', 'https://0.0.0.0', 'http://api.example.com']) {
      expect(refusal({ ...productionEnv, [variable]: url }), url).toMatch(namesOnly(variable));
    }
  });

  it('refuses a provider URL left to its default (the local sandbox)', () => {
    expect(refusal({ ...productionEnv, CIRCLE_WALLETS_BASE_URL: undefined })).toMatch(namesOnly('CIRCLE_WALLETS_BASE_URL'));
    expect(refusal({ ...productionEnv, CIRCLE_API_KEY: 'TEST_API_KEY:sandbox:sandbox-but-made-long-enough' })).toMatch(namesOnly('CIRCLE_API_KEY'));
  });

  it('requires an issuer, an audience and a way to tell operators apart', () => {
    expect(refusal({ ...productionEnv, AUTH_ISSUER: undefined })).toMatch(namesOnly('AUTH_ISSUER'));
    expect(refusal({ ...productionEnv, AUTH_AUDIENCE: '' })).toMatch(namesOnly('AUTH_AUDIENCE'));
    expect(refusal({ ...productionEnv, AUTH_OPERATOR_AUDIENCE: undefined })).toMatch(namesOnly('AUTH_OPERATOR_AUDIENCE'));
    expect(refusal({ ...productionEnv, AUTH_OPERATOR_AUDIENCE: 'fundflow-api' })).toMatch(namesOnly('AUTH_OPERATOR_AUDIENCE'));
    expect(loadConfig({ ...productionEnv, AUTH_OPERATOR_AUDIENCE: undefined, AUTH_OPERATOR_SUBJECTS: 'ops-1, ops-2' }).AUTH_OPERATOR_SUBJECTS).toEqual(['ops-1', 'ops-2']);
    expect(refusal({ ...productionEnv, AUTH_JWKS_URL: 'http://127.0.0.1:9999/jwks.json' })).toMatch(namesOnly('AUTH_JWKS_URL'));
  });
});
