import { fork, spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import type { LoadUser } from '../scripts/lib/fixtures.js';
import { call } from '../scripts/lib/fixtures.js';
import type { ProcessStack } from '../scripts/lib/stack.js';
import { freePort, repoRoot, stopProcess, waitForPort } from '../scripts/lib/tools.js';
import { cpuSpent, sampleCpu, withChildren } from './lib/cpu.js';
import { closedLoop, mergeRuns, openLoop, type LoadRequest, type LoadResult, type LoadRun, type LoadTarget } from './lib/http-load.js';

// The API under HTTP load, each route measured two ways: closed loop at a fixed number of connections (the most
// it carries, and the latency at that load) and open loop at half that rate (the latency a client sees when the
// API is busy but not saturated). GET /healthz, a trivial JSON route in the same process, is the yardstick, and
// two more run beside it, each in a process of its own: the same answer on bare node:http and on a bare Express
// app (bench/processes/yardstick.ts), so the cost of each layer shows.
//
// The two cores are shared with whatever else the machine runs, and its load moves within seconds: routes measured
// one after the other would each meet a different machine. So every phase is cut into BENCH_API_ROUNDS slices and
// the routes take turns slice by slice (round-robin), and each route's serving process's CPU time per request is
// read from /proc around its slices: a figure the machine's load hardly moves. During the paced slices of the
// API's own routes its event-loop delay is read from its /metrics (fundflow_event_loop_delay_seconds; the worst
// slice's quantiles are reported), beside the load generator's own and an idle process's (the machine's stalls).

export interface RouteResult {
  route: string;
  closed: LoadResult;
  /** CPU ms per request in the closed loop: the process that served it, and PostgreSQL (all its processes). */
  cpuMsPerRequest?: { server: number; postgres: number };
  open?: LoadResult;
  /** The API process's event-loop delay during the paced slices, ms: the worst slice's p50, p99 and max. */
  eventLoopDelayMs?: { p50: number; p99: number; max: number };
  /** The load generator's own event-loop delay in the paced slices, ms: the worst slice's p99 and max. */
  generatorDelayMs?: { p99: number; max: number };
  /** The same of an idle process on the machine (bench/processes/idle-probe.ts): the machine's own stalls. */
  idleDelayMs?: { p99: number; max: number };
}

export interface ApiLoadOptions {
  connections: number;
  durationMs: number;
  rounds: number;
}

interface Measured {
  route: string;
  target: LoadTarget;
  /** The pid whose CPU a request costs (the API or a yardstick). */
  pid: () => number;
  /** The API's internal listener, for its event-loop delay. */
  internalUrl?: string;
  paced: boolean;
}

const orderBody = JSON.stringify({ assetType: 'stock', side: 'buy', symbol: 'VTI', amountUsd: '1.00' });

/** The API's event-loop delay quantiles since the previous scrape (each scrape resets them), in ms. */
async function eventLoopDelay(internalUrl: string): Promise<Record<string, number>> {
  const text = await (await fetch(`${internalUrl}/metrics`)).text();
  const found: Record<string, number> = {};
  for (const [, quantile, value] of text.matchAll(/^fundflow_event_loop_delay_seconds\{quantile="([\d.]+)"\} (\S+)$/gm)) {
    found[quantile!] = Number(value) * 1000;
  }
  return found;
}

/** A yardstick server in a process of its own (with a CPU profile like every child when CPU_PROFILE_DIR is set). */
async function startYardstick(kind: 'node-http' | 'express'): Promise<{ url: string; child: ChildProcess }> {
  const port = await freePort();
  const profile = process.env.CPU_PROFILE_DIR
    ? ['--cpu-prof', `--cpu-prof-dir=${path.join(process.env.CPU_PROFILE_DIR, `yardstick-${kind}`)}`]
    : [];
  const child = spawn(process.execPath, [...profile, '--import', 'tsx', 'bench/processes/yardstick.ts'], {
    cwd: repoRoot,
    env: { ...process.env, YARDSTICK: kind, HTTP_PORT: String(port) },
    stdio: 'ignore',
  });
  await waitForPort(port);
  return { url: `http://127.0.0.1:${port}`, child };
}

/** bench/processes/idle-probe.ts: `read()` answers its event-loop delay since the previous read. */
async function startIdleProbe(): Promise<{ read(): Promise<{ p99: number; max: number }>; stop(): void }> {
  const child = fork(path.join(repoRoot, 'bench/processes/idle-probe.ts'), { execArgv: ['--import', 'tsx'], stdio: 'ignore' });
  await new Promise((resolve) => child.once('spawn', resolve));
  return {
    read: () =>
      new Promise((resolve) => {
        child.once('message', (m) => resolve(m as { p99: number; max: number }));
        child.send('read');
      }),
    stop: () => child.disconnect(),
  };
}

/** Every route's closed loop slice by slice in turns, then (where paced) its open loop at half its rate. */
async function measureInTurns(routes: Measured[], options: ApiLoadOptions): Promise<RouteResult[]> {
  const slice = { ...options, durationMs: Math.max(1000, Math.round(options.durationMs / options.rounds)) };
  const closed = new Map<string, LoadRun[]>(routes.map((r) => [r.route, []]));
  const cpu = new Map(routes.map((r) => [r.route, { server: 0, postgres: 0 }]));
  for (let round = 1; round <= options.rounds; round++) {
    process.stderr.write(
      `  closed loop, ${options.connections} connections, round ${round}/${options.rounds} of ${slice.durationMs / 1000} s per route\n`,
    );
    for (const r of routes) {
      // The serving process and its children: with API_PROCESSES > 1 the API is a cluster of processes.
      const pids = Object.fromEntries((await withChildren(r.pid())).map((pid) => [String(pid), pid]));
      const before = await sampleCpu(pids);
      const run = await closedLoop(r.target, slice);
      const spentByPid = cpuSpent(before, await sampleCpu(pids));
      const spent = { server: Object.keys(pids).reduce((a, pid) => a + spentByPid[pid]!, 0), postgres: spentByPid.postgres! };
      if (run.errors > 0) throw new Error(`${r.route}: ${run.errors} of ${run.latencies.length} answers were not ${r.target.expectStatus}`);
      closed.get(r.route)!.push(run);
      const c = cpu.get(r.route)!;
      c.server += spent.server!;
      c.postgres += spent.postgres!;
    }
  }
  const results = routes.map((r): RouteResult => {
    const result = mergeRuns(closed.get(r.route)!);
    const c = cpu.get(r.route)!;
    return {
      route: r.route,
      closed: result,
      cpuMsPerRequest: { server: (c.server * 1000) / result.requests, postgres: (c.postgres * 1000) / result.requests },
    };
  });

  const paced = routes.filter((r) => r.paced);
  const open = new Map<string, LoadRun[]>(paced.map((r) => [r.route, []]));
  const delays = new Map<string, { p50: number; p99: number; max: number }>();
  const idle = await startIdleProbe();
  const idleDelays = new Map<string, { p99: number; max: number }>();
  const rateOf = (route: string) => Math.max(1, Math.floor(results.find((x) => x.route === route)!.closed.rps / 2));
  for (let round = 1; round <= options.rounds; round++) {
    process.stderr.write(`  open loop at half each route's rate, round ${round}/${options.rounds}\n`);
    for (const r of paced) {
      if (r.internalUrl) await eventLoopDelay(r.internalUrl); // resets the histogram: what follows is this slice's
      await idle.read();
      open.get(r.route)!.push(await openLoop(r.target, { ...slice, rate: rateOf(r.route) }));
      const idleDelay = await idle.read();
      const idleWorst = idleDelays.get(r.route) ?? { p99: 0, max: 0 };
      idleDelays.set(r.route, { p99: Math.max(idleWorst.p99, idleDelay.p99), max: Math.max(idleWorst.max, idleDelay.max) });
      if (!r.internalUrl) continue;
      const d = await eventLoopDelay(r.internalUrl);
      const worst = delays.get(r.route) ?? { p50: 0, p99: 0, max: 0 };
      delays.set(r.route, {
        p50: Math.max(worst.p50, d['0.5'] ?? NaN),
        p99: Math.max(worst.p99, d['0.99'] ?? NaN),
        max: Math.max(worst.max, d['1'] ?? NaN),
      });
    }
  }
  idle.stop();
  for (const result of results) {
    result.idleDelayMs = idleDelays.get(result.route);
    const runs = open.get(result.route);
    if (runs) {
      result.open = mergeRuns(runs);
      result.generatorDelayMs = {
        p99: Math.max(...runs.map((run) => run.generatorDelayMs?.p99 ?? 0)),
        max: Math.max(...runs.map((run) => run.generatorDelayMs?.max ?? 0)),
      };
    }
    const delay = delays.get(result.route);
    if (delay) result.eventLoopDelayMs = delay;
  }
  return results;
}

export async function apiLoad(
  stack: ProcessStack,
  users: LoadUser[],
  deposits: { userIndex: number; depositId: string }[],
  options: ApiLoadOptions,
): Promise<RouteResult[]> {
  const auth = (user: LoadUser) => ({ authorization: `Bearer ${user.token}` });
  const internalUrl = stack.apiInternalUrls[0];
  const apiPid = () => stack.pids().api!;
  const api = (expectStatus: number, request: (i: number) => LoadRequest): LoadTarget => ({ baseUrl: stack.apiUrl, expectStatus, request });

  /** The i-th request's order: the same body, by the i-th user, under the key `key(i)`. */
  const order = (key: (i: number) => string) =>
    api(202, (i) => ({
      method: 'POST',
      path: '/v1/orders',
      headers: { ...auth(users[i % users.length]!), 'idempotency-key': key(i) },
      body: orderBody,
    }));

  // Replays: one order per user made once, then the same key and body again (answered from the database).
  const replayKeys = await Promise.all(
    users.map(async (user) => {
      const key = `bench-replay-${randomUUID()}`;
      const first = await call(stack, 'POST', '/v1/orders', {
        token: user.token,
        body: JSON.parse(orderBody),
        headers: { 'idempotency-key': key },
      });
      if (first.status !== 202) throw new Error(`POST /v1/orders answered ${first.status}: ${JSON.stringify(first.body)}`);
      return key;
    }),
  );

  const yardsticks = await Promise.all((['node-http', 'express'] as const).map(startYardstick));
  const [bareNode, bareExpress] = yardsticks as [(typeof yardsticks)[0], (typeof yardsticks)[0]];
  try {
    const healthz = (): LoadRequest => ({ method: 'GET', path: '/healthz' });
    const results = await measureInTurns(
      [
        {
          route: 'yardstick: bare node:http',
          target: { baseUrl: bareNode.url, expectStatus: 200, request: healthz },
          pid: () => bareNode.child.pid!,
          paced: true,
        },
        {
          route: 'yardstick: bare Express route',
          target: { baseUrl: bareExpress.url, expectStatus: 200, request: healthz },
          pid: () => bareExpress.child.pid!,
          paced: true,
        },
        { route: 'GET /healthz', target: api(200, healthz), pid: apiPid, internalUrl, paced: true },
        {
          route: 'GET /v1/deposits/{id}',
          target: api(200, (i) => {
            const d = deposits[i % deposits.length]!;
            return { method: 'GET', path: `/v1/deposits/${d.depositId}`, headers: auth(users[d.userIndex]!) };
          }),
          pid: apiPid,
          internalUrl,
          paced: true,
        },
        {
          route: 'POST /v1/orders (replayed key)',
          target: order((i) => replayKeys[i % users.length]!),
          pid: apiPid,
          internalUrl,
          paced: true,
        },
      ],
      options,
    );
    // Fresh keys: every request starts an order saga (update-with-start, accept step in the worker). Closed loop
    // only, and one slice: it writes rows and histories that would slow every later slice.
    const [fresh] = await measureInTurns(
      [{ route: 'POST /v1/orders (new key)', target: order(() => `bench-${randomUUID()}`), pid: apiPid, paced: false }],
      { ...options, rounds: 1, durationMs: Math.round(options.durationMs / options.rounds) * 2 },
    );
    return [...results, fresh!];
  } finally {
    await Promise.all(yardsticks.map((y) => stopProcess(y.child)));
  }
}
