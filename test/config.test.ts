import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, configSchema, loadConfig } from '../src/config.js';

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
    expect(() => loadConfig({ NODE_ENV: 'production' })).toThrowError(/AUTH_JWKS_URL/);
    expect(loadConfig({ NODE_ENV: 'production', AUTH_JWT_SECRET: 's3cret' }).AUTH_JWT_SECRET).toBe('s3cret');
  });
});
