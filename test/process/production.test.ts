import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { builtinModules } from 'node:module';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { freePort } from '../../scripts/lib/tools.js';
import { startSandbox, type Sandbox } from '../../src/sandbox/server.js';

// The production build as the image runs it: `npm run build` (tsc to dist/ and the workflow bundle), then the
// start scripts' own command lines — node on compiled JavaScript, no npm or tsx between the signal and the drain —
// started and stopped with SIGTERM.

const root = path.resolve(import.meta.dirname, '../..');
const execFileAsync = promisify(execFile);
const pkg = JSON.parse(await readFile(path.join(root, 'package.json'), 'utf8')) as {
  scripts: Record<string, string>;
  dependencies: Record<string, string>;
};

interface Started {
  child: ChildProcess;
  output: string[];
  exit: Promise<number | null>;
}

/** Runs a start script's command line itself (as the image's CMD does), with node as the process that gets signals. */
function start(script: 'start:api' | 'start:worker' | 'start:migrate', env: NodeJS.ProcessEnv): Started {
  const [command, ...args] = pkg.scripts[script]!.split(' ');
  expect(command).toBe('node');
  const child = spawn(process.execPath, args, { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
  const output: string[] = [];
  child.stdout!.on('data', (d: Buffer) => output.push(...d.toString().split('\n').filter(Boolean)));
  child.stderr!.on('data', (d: Buffer) => output.push(...d.toString().split('\n').filter(Boolean)));
  const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, output, exit };
}

async function status(url: string): Promise<number> {
  return fetch(url).then(
    (r) => r.status,
    () => 0,
  );
}

const messages = (started: Started) => started.output.filter((l) => l.startsWith('{')).map((l) => (JSON.parse(l) as { msg: string }).msg);

describe('the production build', () => {
  let sandbox: Sandbox;
  let env: NodeJS.ProcessEnv;
  let apiPort: number;
  let workerPort: number;

  beforeAll(async () => {
    await execFileAsync('npm', ['run', 'build'], { cwd: root, maxBuffer: 64 * 1024 * 1024 });
    sandbox = await startSandbox({ port: 0 });
    apiPort = await freePort();
    workerPort = await freePort();
    const { NODE_OPTIONS: _, ...inherited } = process.env;
    env = {
      ...inherited,
      NODE_ENV: 'test',
      LOG_LEVEL: 'info',
      DATABASE_URL: inject('databaseUrl'),
      TEMPORAL_ADDRESS: inject('temporalAddress'),
      TEMPORAL_TASK_QUEUE: `production-${process.pid}`,
      HTTP_PORT: String(apiPort),
      API_INTERNAL_PORT: '0',
      WORKER_HTTP_PORT: String(workerPort),
      WORKER_SDK_METRICS_PORT: '0',
      WORKER_WORKFLOW_BUNDLE: path.join(root, 'dist/workflow-bundle.js'),
      AUTH_JWT_SECRET: 'production-build-secret',
      CIRCLE_WALLETS_BASE_URL: sandbox.url,
      CIRCLE_MINT_BASE_URL: sandbox.url,
      ALPACA_TRADING_BASE_URL: sandbox.url,
      ALPACA_BROKER_BASE_URL: sandbox.url,
      OPENAI_BASE_URL: `${sandbox.url}/v1`,
    };
  }, 600_000);
  afterAll(() => sandbox?.stop());

  it('imports at run time only production dependencies and Node built-ins', async () => {
    const files = (await readdir(path.join(root, 'dist'), { recursive: true })).filter(
      (f) => f.endsWith('.js') && !f.startsWith('workflow-bundle'),
    );
    expect(files).toEqual(expect.arrayContaining(['server.js', 'worker.js', 'scripts/migrate.js']));
    const imported = new Set<string>();
    for (const file of files) {
      const code = await readFile(path.join(root, 'dist', file), 'utf8');
      for (const [, spec] of code.matchAll(
        /(?:^|\s)(?:import|export)\s[^'"]*?from\s+['"]([^'".][^'"]*)['"]|import\(\s*['"]([^'".][^'"]*)['"]\s*\)|^import\s+['"]([^'".][^'"]*)['"]/gm,
      )) {
        if (spec) imported.add(spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0]!);
      }
    }
    const builtins = new Set(builtinModules);
    const missing = [...imported].filter((name) => !name.startsWith('node:') && !builtins.has(name) && !(name in pkg.dependencies));
    expect(missing).toEqual([]);
    expect(pkg.dependencies).not.toHaveProperty('tsx');
  });

  it('runs the migration job from dist/ against the migrations the image ships', async () => {
    const migrate = start('start:migrate', env);
    expect(await migrate.exit).toBe(0);
    expect(migrate.output.join('\n')).toMatch(/migrations: 0 applied, \d+ already applied/);
  });

  it('starts the API from dist/, and on SIGTERM answers the request in flight, then exits 0', async () => {
    const api = start('start:api', env);
    try {
      await expect.poll(() => status(`http://127.0.0.1:${apiPort}/readyz`), { timeout: 60_000, interval: 250 }).toBe(200);
      expect(await status(`http://127.0.0.1:${apiPort}/docs`)).toBe(200);
      const inFlight = fetch(`http://127.0.0.1:${apiPort}/readyz`);
      api.child.kill('SIGTERM');
      expect((await inFlight).status).toBe(200);
      expect(await api.exit).toBe(0);
      expect(messages(api)).toEqual(expect.arrayContaining(['api listening', 'api draining', 'api stopped']));
    } finally {
      api.child.kill('SIGKILL');
    }
  });

  it("bundles the workflows twice: OpenTelemetry's interceptors only in the bundle for workers that export traces", async () => {
    const untraced = await readFile(path.join(root, 'dist/workflow-bundle.js'), 'utf8');
    const traced = await readFile(path.join(root, 'dist/workflow-bundle.traced.js'), 'utf8');
    expect(untraced).toContain('workflows/activities');
    expect(untraced).not.toContain('interceptors-opentelemetry/lib/workflow-interceptors');
    expect(traced).toContain('interceptors-opentelemetry/lib/workflow-interceptors');
  });

  it('starts the worker from dist/ on the prebuilt workflow bundle, and drains and exits 0 on SIGTERM', async () => {
    const worker = start('start:worker', env);
    try {
      await expect.poll(() => status(`http://127.0.0.1:${workerPort}/readyz`), { timeout: 60_000, interval: 250 }).toBe(200);
      // Bundling at start logs this line (webpack); the prebuilt bundle skips it.
      expect(worker.output.some((l) => l.includes('Workflow bundle created'))).toBe(false);
      worker.child.kill('SIGTERM');
      expect(await worker.exit).toBe(0);
      expect(messages(worker)).toContain('worker stopped');
    } finally {
      worker.child.kill('SIGKILL');
    }
  });
});
