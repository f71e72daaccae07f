import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { jwtVerify } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadEnvFile } from '../src/env-file.js';

// A `.env` in the working directory is read by every entry point, with Node's own parser; the real environment wins.

const root = path.resolve(import.meta.dirname, '..');
const execFileAsync = promisify(execFile);
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'fundflow-env-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('.env', () => {
  it('is loaded into process.env when present, and a variable already set (even empty) wins', async () => {
    const file = path.join(dir, 'loaded.env');
    await writeFile(
      file,
      'FUNDFLOW_ENV_TEST_A=from-file\nFUNDFLOW_ENV_TEST_B=from-file\n# a comment\nFUNDFLOW_ENV_TEST_C="quoted # not a comment"\n',
    );
    process.env.FUNDFLOW_ENV_TEST_B = 'from-environment';
    process.env.FUNDFLOW_ENV_TEST_C = '';
    try {
      expect(loadEnvFile(file)).toBe(true);
      expect(process.env.FUNDFLOW_ENV_TEST_A).toBe('from-file');
      expect(process.env.FUNDFLOW_ENV_TEST_B).toBe('from-environment');
      expect(process.env.FUNDFLOW_ENV_TEST_C).toBe('');
    } finally {
      for (const k of ['A', 'B', 'C']) delete process.env[`FUNDFLOW_ENV_TEST_${k}`];
    }
  });

  it('is optional', () => {
    expect(loadEnvFile(path.join(dir, 'missing.env'))).toBe(false);
  });

  it('is imported first by every entry point that package.json runs', () => {
    const scripts = (JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts;
    const entryPoints = [
      ...new Set(
        Object.values(scripts).flatMap((s) => [...s.matchAll(/\b(?:tsx|node) (?:--\S+ )*([\w./-]+\.(?:ts|js))\b/g)].map((m) => m[1]!)),
      ),
    ].map((file) => file.replace(/^dist\//, '').replace(/\.js$/, '.ts'));
    expect(entryPoints).toEqual(
      expect.arrayContaining(['server.ts', 'worker.ts', 'src/sandbox/main.ts', 'scripts/migrate.ts', 'scripts/dev.ts']),
    );
    const late = entryPoints.filter((file) => {
      const firstImport = /^import .*$/m.exec(readFileSync(path.join(root, file), 'utf8'))?.[0] ?? '';
      return !/^import '(\.\.?\/)+(src\/)?load-env\.js';$/.test(firstImport);
    });
    expect(late).toEqual([]);
  });

  it('configures a real entry point run from its folder (npm run token signs with the .env secret)', async () => {
    await writeFile(path.join(dir, '.env'), 'AUTH_JWT_SECRET=secret-from-the-dotenv-file-0123456789\nLOG_LEVEL=silent\n');
    const tsx = pathToFileURL(createRequire(path.join(root, 'package.json')).resolve('tsx')).href;
    const env = { ...process.env };
    delete env.AUTH_JWT_SECRET;
    const { stdout } = await execFileAsync(process.execPath, ['--import', tsx, path.join(root, 'scripts/token.ts'), 'alice'], {
      cwd: dir,
      env,
    });
    const { payload } = await jwtVerify(stdout.trim(), new TextEncoder().encode('secret-from-the-dotenv-file-0123456789'));
    expect(payload.sub).toBe('alice');
  });
});
