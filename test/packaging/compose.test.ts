import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { configSchema, loadConfig } from '../../src/config.js';
import { shippedSecrets } from '../../src/config-production.js';
import { realProviderEnv, strongPassword } from '../helpers/production-env.js';

// There is no Docker engine on this machine, so the compose file and the Dockerfile are checked for what can be
// checked without one: structure, that each app service's environment is a valid configuration, and that every
// command the images run exists.

const root = path.resolve(import.meta.dirname, '../..');
// merge: the app services share one environment through `<<: *app` (without it they would look empty).
const compose = parse(readFileSync(path.join(root, 'docker-compose.yml'), 'utf8'), { merge: true }) as {
  services: Record<string, {
    build?: unknown; image?: string; command?: string[]; environment?: Record<string, string>; profiles?: string[];
    depends_on?: Record<string, { condition: string }>; healthcheck?: unknown;
  }>;
};
const scripts = (JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts;
const appServices = ['migrate', 'api', 'worker'] as const;
const rawCompose = readFileSync(path.join(root, 'docker-compose.yml'), 'utf8');

/** What an operator exports before `docker compose up`: strong values, the real providers (test/config.test.ts). */
const deploymentEnv: Record<string, string> = {
  POSTGRES_PASSWORD: strongPassword,
  ...realProviderEnv,
  ALPACA_PAPER: 'false',
};

/** Substitutes `${VAR}`, `${VAR:-default}` and `${VAR:?message}` the way compose does (`:?` fails when unset). */
function interpolate(value: string, env: Record<string, string>): string {
  return value.replace(/\$\{([A-Z0-9_]+)(?::([-?])([^}]*))?\}/g, (_, name: string, kind?: string, rest?: string) => {
    if (env[name]) return env[name];
    if (kind === '?') throw new Error(`required variable ${name} is missing a value: ${rest}`);
    return kind === '-' ? rest! : '';
  });
}
const environmentOf = (name: string, env: Record<string, string>) =>
  Object.fromEntries(Object.entries(compose.services[name]?.environment ?? {}).map(([k, v]) => [k, interpolate(String(v), env)]));

describe('docker-compose.yml', () => {
  it('runs PostgreSQL, Temporal with its UI, the migration job, the API and the worker, and never the sandbox', () => {
    expect(Object.keys(compose.services)).toEqual(expect.arrayContaining(['postgres', 'temporal', 'temporal-ui', 'migrate', 'api', 'worker']));
    for (const [name, service] of Object.entries(compose.services)) {
      expect(service.profiles, name).toBeUndefined();
      expect(service.command ?? [], name).not.toContain('sandbox');
    }
  });

  it('starts the API and the worker only after the migration job succeeded', () => {
    for (const name of ['api', 'worker']) {
      expect(compose.services[name]?.depends_on?.migrate?.condition, name).toBe('service_completed_successfully');
    }
    expect(compose.services.migrate?.depends_on?.postgres?.condition).toBe('service_healthy');
  });

  it.each(appServices)('runs %s in production with an environment that the configuration accepts, with no unknown variables', (name) => {
    const env = environmentOf(name, deploymentEnv);
    expect(env.NODE_ENV).toBe('production');
    const known = Object.keys(configSchema.shape);
    expect(Object.keys(env).filter((k) => !known.includes(k))).toEqual([]);
    expect(() => loadConfig(env)).not.toThrow();
  });

  it('takes every secret, key and provider URL from the environment with no default', () => {
    const secretish = /PASSWORD|PWD|SECRET|_KEY|KEY_ID|JWKS|ISSUER|AUDIENCE|BASE_URL|ACCOUNT_ID|DATABASE_URL/;
    for (const [service, { environment = {} }] of Object.entries(compose.services)) {
      for (const [variable, value] of Object.entries(environment)) {
        if (!secretish.test(variable) || variable === 'ALPACA_TRADING_BASE_URL') continue;
        // Either wholly required from the environment, or (DATABASE_URL) built around a required password.
        expect(String(value), `${service}.${variable}`).toMatch(/\$\{[A-Z0-9_]+:\?[^}]+\}/);
      }
    }
    expect(rawCompose).not.toMatch(/\$\{[A-Z0-9_]*(PASSWORD|SECRET|KEY|URL)[A-Z0-9_]*:-/);
    for (const shipped of shippedSecrets.filter((v) => v.length > 8)) expect(rawCompose).not.toContain(shipped);
  });

  it.each(Object.keys(deploymentEnv))('refuses to come up without %s', (missing) => {
    const { [missing]: _, ...env } = deploymentEnv;
    expect(() => {
      for (const name of [...appServices, 'postgres', 'temporal']) environmentOf(name, env);
    }).toThrowError(new RegExp(missing));
  });

  it.each(appServices)('runs %s with a command that package.json defines', (name) => {
    const command = compose.services[name]?.command ?? [];
    expect(command.slice(0, 2)).toEqual(['npm', 'run']);
    expect(scripts[command[2]!], command.join(' ')).toBeDefined();
  });

  it('registers the same search attributes as the dev server', async () => {
    const { searchAttributeFlags } = await import('../../workflows/definitions.js');
    const registration = JSON.stringify(compose.services['temporal-search-attributes']);
    for (const flag of searchAttributeFlags) expect(registration).toContain(flag);
  });
});

describe('Dockerfile', () => {
  const dockerfile = readFileSync(path.join(root, 'Dockerfile'), 'utf8');

  it('builds in stages on Node 22 and runs as an unprivileged user', () => {
    expect(dockerfile.match(/^FROM node:22[^\s]* AS \w+/gm)?.length).toBeGreaterThanOrEqual(2);
    expect(dockerfile).toMatch(/^USER node$/m);
  });

  it('sets NODE_ENV=production in the image and exposes no sandbox port', () => {
    expect(dockerfile).toMatch(/^ENV NODE_ENV=production$/m);
    expect(dockerfile).not.toMatch(/EXPOSE[^\n]*4010/);
  });

  it('defaults to a command that package.json defines', () => {
    const cmd = /^CMD \["npm", "run", "([^"]+)"\]/m.exec(dockerfile);
    expect(scripts[cmd?.[1] ?? '']).toBeDefined();
  });
});
