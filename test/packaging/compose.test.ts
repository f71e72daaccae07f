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
  services: Record<
    string,
    {
      build?: unknown;
      image?: string;
      command?: string[];
      environment?: Record<string, string>;
      profiles?: string[];
      depends_on?: Record<string, { condition: string }>;
      healthcheck?: unknown;
      ports?: string[];
      entrypoint?: string[];
    }
  >;
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
    expect(Object.keys(compose.services)).toEqual(
      expect.arrayContaining([
        'postgres',
        'temporal-schema',
        'temporal',
        'temporal-namespace',
        'temporal-ui',
        'codec-server',
        'migrate',
        'api',
        'worker',
      ]),
    );
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
      for (const name of [...appServices, 'codec-server', 'postgres', 'temporal-schema', 'temporal']) environmentOf(name, env);
    }).toThrowError(new RegExp(missing));
  });

  it.each(appServices)("runs %s as compiled JavaScript under node, as one of package.json's start scripts", (name) => {
    // node itself receives the container's SIGTERM and drains; the image has no tsx (a development dependency).
    const command = compose.services[name]?.command ?? [];
    expect(command[0]).toBe('node');
    expect(
      Object.entries(scripts)
        .filter(([script]) => script.startsWith('start:'))
        .map(([, line]) => line),
    ).toContain(command.join(' '));
  });

  it('registers the same search attributes as the dev server', async () => {
    const { searchAttributeFlags } = await import('../../workflows/definitions.js');
    const registration = JSON.stringify(compose.services['temporal-namespace']);
    for (const flag of searchAttributeFlags) expect(registration).toContain(flag);
  });
});

describe('docker-compose.yml: Temporal on its current images', () => {
  const commandOf = (name: string) => (compose.services[name]?.command ?? []).join(' ').replace(/\$\$/g, '$');

  it('pins every image to a version, and uses none of the deprecated temporalio/auto-setup', () => {
    for (const [name, service] of Object.entries(compose.services)) {
      if (service.build) continue; // fundflow's own image, built from this checkout
      expect(service.image, name).toMatch(/^[a-z0-9./-]+:\d+(\.\d+)*$/);
    }
    expect(rawCompose).not.toMatch(/temporalio\/auto-setup/);
    expect(compose.services.temporal?.image).toMatch(/^temporalio\/server:/);
    expect(compose.services['temporal-schema']?.image).toMatch(/^temporalio\/admin-tools:/);
    // The schema job's tools and the server come from one release.
    expect(compose.services['temporal-schema']?.image?.split(':')[1]).toBe(compose.services.temporal?.image?.split(':')[1]);
  });

  it('sets up both schemas with temporal-sql-tool before the server starts: PostgreSQL persistence and SQL visibility', () => {
    const setup = commandOf('temporal-schema');
    for (const step of ['create', 'setup-schema -v 0.0', 'update-schema -d /etc/temporal/schema/postgresql/v12/'])
      expect(setup).toContain(step);
    expect(setup).toMatch(/temporal-sql-tool --plugin postgres12/);
    expect(setup).toMatch(/temporal:temporal temporal_visibility:visibility/);
    expect(compose.services['temporal-schema']?.depends_on?.postgres?.condition).toBe('service_healthy');
    expect(compose.services.temporal?.depends_on?.['temporal-schema']?.condition).toBe('service_completed_successfully');
    expect(compose.services.temporal?.environment).toMatchObject({
      DB: 'postgres12',
      DBNAME: 'temporal',
      VISIBILITY_DBNAME: 'temporal_visibility',
    });
    expect(JSON.stringify(compose.services.temporal?.environment)).not.toMatch(/"ENABLE_ES"|"ES_SEEDS"/);
  });

  it("creates fundflow's namespace with its search attributes before the API and the worker start, and they use it", () => {
    const namespaceJob = commandOf('temporal-namespace');
    const namespace = environmentOf('api', deploymentEnv).TEMPORAL_NAMESPACE;
    expect(namespace).toBe('fundflow');
    expect(namespaceJob).toContain(`operator namespace create -n ${namespace}`);
    expect(namespaceJob).toContain(`search-attribute create -n ${namespace}`);
    expect(compose.services['temporal-namespace']?.depends_on?.temporal?.condition).toBe('service_healthy');
    for (const name of ['api', 'worker']) {
      expect(compose.services[name]?.depends_on?.['temporal-namespace']?.condition, name).toBe('service_completed_successfully');
    }
    expect(compose.services['temporal-ui']?.environment?.TEMPORAL_DEFAULT_NAMESPACE).toBe(namespace);
  });

  it("publishes every port on 127.0.0.1 only (Temporal's frontend and its UI included)", () => {
    const published = Object.entries(compose.services).flatMap(([name, service]) =>
      (service.ports ?? []).map((port) => [name, String(port)]),
    );
    expect(published.map(([name]) => name)).toEqual(expect.arrayContaining(['temporal', 'temporal-ui', 'api', 'codec-server']));
    for (const [name, port] of published) expect(port, name).toMatch(/^127\.0\.0\.1:\d+:\d+$/);
  });

  it("points the UI at the codec server, which runs with the app's production environment", () => {
    const ui = compose.services['temporal-ui']?.environment ?? {};
    const codecPort = (compose.services['codec-server']?.ports ?? [])[0]?.split(':')[1];
    expect(ui.TEMPORAL_CODEC_ENDPOINT).toBe(`http://localhost:${codecPort}`);
    expect(ui.TEMPORAL_CODEC_INCLUDE_CREDENTIALS).toBe('true');
    const env = environmentOf('codec-server', deploymentEnv);
    const config = loadConfig(env);
    expect(config.CODEC_SERVER_PORT).toBe(Number(codecPort));
    // The codec server answers the UI's browser origin (TEMPORAL_UI_URL's) and nothing else.
    expect(new URL(config.TEMPORAL_UI_URL).port).toBe((compose.services['temporal-ui']?.ports ?? [])[0]?.split(':')[1]);
    expect(compose.services['codec-server']?.command?.join(' ')).toMatch(/codec/);
  });

  it('keeps the database password out of the file: the schema job and the server take it from the environment', () => {
    expect(compose.services['temporal-schema']?.environment?.SQL_PASSWORD).toBe('${POSTGRES_PASSWORD:?set POSTGRES_PASSWORD}');
    expect(compose.services.temporal?.environment?.POSTGRES_PWD).toBe('${POSTGRES_PASSWORD:?set POSTGRES_PASSWORD}');
    expect(rawCompose).not.toMatch(/(PASSWORD|PWD): [^$\s]/);
  });
});

describe('Dockerfile', () => {
  const dockerfile = readFileSync(path.join(root, 'Dockerfile'), 'utf8');
  const stages = dockerfile.split(/^(?=FROM )/m).slice(1);
  const runtime = stages.at(-1)!;

  it('builds in stages on Node 22 and runs as an unprivileged user', () => {
    expect(dockerfile.match(/^FROM node:22[^\s]* AS \w+/gm)?.length).toBeGreaterThanOrEqual(2);
    expect(runtime).toMatch(/^USER node$/m);
  });

  it('sets NODE_ENV=production in the image and exposes no sandbox port', () => {
    expect(runtime).toMatch(/^ENV NODE_ENV=production$/m);
    expect(dockerfile).not.toMatch(/EXPOSE[^\n]*4010/);
  });

  it('builds with npm run build and ships production dependencies only, without the sources', () => {
    expect(dockerfile).toMatch(/^RUN npm run build$/m);
    const deps = /^COPY --from=(\w+) \/app\/node_modules/m.exec(runtime)?.[1];
    const depsStage = stages.find((s) => new RegExp(`^FROM \\S+ AS ${deps}$`, 'm').test(s));
    expect(depsStage).toMatch(/npm ci --omit=dev/);
    expect(runtime).not.toMatch(/^COPY (--from=\w+ )?(\/app|\.) /m);
  });

  it('ships the workflow bundle npm run build makes, and points the worker at it', () => {
    const bundle = /^ENV WORKER_WORKFLOW_BUNDLE=\/app\/(\S+)$/m.exec(runtime)?.[1];
    expect(bundle).toBe('dist/workflow-bundle.js');
    expect(scripts.build).toContain(bundle);
  });

  it("runs node on the compiled API by default, as package.json's start:api does", () => {
    const cmd = /^CMD (\[.*\])$/m.exec(runtime)?.[1];
    expect((JSON.parse(cmd ?? '[]') as string[]).join(' ')).toBe(scripts['start:api']);
    expect(scripts['start:api']).toMatch(/^node dist\//);
  });
});
