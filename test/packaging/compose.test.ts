import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { configSchema, loadConfig } from '../../src/config.js';

// There is no Docker engine on this machine, so the compose file and the Dockerfile are checked for what can be
// checked without one: structure, that each app service's environment is a valid configuration, and that every
// command the images run exists.

const root = path.resolve(import.meta.dirname, '../..');
const compose = parse(readFileSync(path.join(root, 'docker-compose.yml'), 'utf8')) as {
  services: Record<string, {
    build?: unknown; image?: string; command?: string[]; environment?: Record<string, string>; profiles?: string[];
    depends_on?: Record<string, { condition: string }>; healthcheck?: unknown;
  }>;
};
const scripts = (JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts;
const appServices = ['migrate', 'api', 'worker', 'sandbox'] as const;

/** Substitutes `${VAR:-default}` the way compose does when VAR is unset. */
function interpolate(value: string): string {
  return value.replace(/\$\{[A-Z0-9_]+:-([^}]*)\}/g, '$1');
}

describe('docker-compose.yml', () => {
  it('runs PostgreSQL, Temporal with its UI, the migration job, the API and the worker, with the sandbox behind a profile', () => {
    expect(Object.keys(compose.services)).toEqual(expect.arrayContaining(['postgres', 'temporal', 'temporal-ui', 'migrate', 'api', 'worker', 'sandbox']));
    expect(compose.services.sandbox?.profiles).toEqual(['sandbox']);
    for (const name of ['postgres', 'temporal', 'temporal-ui', 'migrate', 'api', 'worker']) {
      expect(compose.services[name]?.profiles, name).toBeUndefined();
    }
  });

  it('starts the API and the worker only after the migration job succeeded', () => {
    for (const name of ['api', 'worker']) {
      expect(compose.services[name]?.depends_on?.migrate?.condition, name).toBe('service_completed_successfully');
    }
    expect(compose.services.migrate?.depends_on?.postgres?.condition).toBe('service_healthy');
  });

  it.each(appServices)('gives %s an environment that the configuration schema accepts, with no unknown variables', (name) => {
    const env = Object.fromEntries(Object.entries(compose.services[name]?.environment ?? {}).map(([k, v]) => [k, interpolate(String(v))]));
    const known = Object.keys(configSchema.shape);
    expect(Object.keys(env).filter((k) => !known.includes(k))).toEqual([]);
    expect(() => loadConfig(env)).not.toThrow();
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

  it('defaults to a command that package.json defines', () => {
    const cmd = /^CMD \["npm", "run", "([^"]+)"\]/m.exec(dockerfile);
    expect(scripts[cmd?.[1] ?? '']).toBeDefined();
  });
});
