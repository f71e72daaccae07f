import { spawn } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

// A production process with a wrong configuration must not start, and must say why in one line an operator can
// act on (not a stack trace); the provider sandbox must not start in production at all.

const root = path.resolve(import.meta.dirname, '../..');
const tsx = path.join(root, 'node_modules/.bin/tsx');

/** Runs an entry point until it exits (or 20 s pass) and returns its exit code and output. */
function run(script: string, env: Record<string, string>): Promise<{ code: number | null; stderr: string; stdout: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(tsx, [script], {
      cwd: root,
      env: { PATH: process.env.PATH!, HOME: process.env.HOME ?? '/tmp', LOG_LEVEL: 'info', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    child.on('error', reject);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stderr, stdout });
    });
  });
}

describe('a production process with a wrong configuration', () => {
  it.each(['server.ts', 'worker.ts'])('%s stops with one line naming the wrong variable', async (script) => {
    const { code, stderr, stdout } = await run(script, {
      NODE_ENV: 'production',
      AUTH_JWT_SECRET: 'change-me-in-production-please', // the old compose default
      HTTP_PORT: '0',
      WORKER_HTTP_PORT: '0',
      WORKER_SDK_METRICS_PORT: '0',
    });
    expect(code).not.toBe(0);
    expect(stdout).toBe('');
    expect(stderr.trim().split('\n')).toEqual([expect.stringMatching(/^invalid configuration: AUTH_JWT_SECRET .*ships/)]);
  });
});

describe('the provider sandbox', () => {
  it('refuses to start in production, in one line', async () => {
    const { code, stderr } = await run('src/sandbox/main.ts', { NODE_ENV: 'production', SANDBOX_PORT: '0' });
    expect(code).not.toBe(0);
    expect(stderr.trim().split('\n')).toEqual([expect.stringMatching(/NODE_ENV=production/)]);
  });
});
