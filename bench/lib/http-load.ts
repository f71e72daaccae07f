import http from 'node:http';
import { summarize, type LatencySummary } from '../../scripts/lib/stats.js';
import { watchEventLoop } from './loop-delay.js';

// An HTTP load generator on node:http with keep-alive connections: closed loop (N connections, each sends its
// next request when the previous answered: the most the route carries) and open loop (requests evenly paced at a
// fixed rate, latency counted from when each was due, so a slow answer cannot hide the requests queued behind it).

export interface LoadRequest {
  method: 'GET' | 'POST';
  path: string;
  headers?: Record<string, string>;
  body?: string;
}

export interface LoadResult {
  requests: number;
  seconds: number;
  rps: number;
  /** Answers other than the expected status. */
  errors: number;
  latency: LatencySummary;
}

/** A run's raw outcome: what mergeRuns needs to join several short runs of one target into one result. */
export interface LoadRun {
  latencies: number[];
  errors: number;
  seconds: number;
  /**
   * Open loop: this load generator's own event-loop delay during the run, p99 and max, ms. Latency counts from
   * when a request was due, so a generator that sends late (its own loop stalled, or the machine did not run it)
   * adds that to every request it delays: a tail here is not the server's.
   */
  generatorDelayMs?: { p99: number; max: number };
}

/** Several runs of one target (interleaved with other targets' runs) as one result. */
export function mergeRuns(runs: LoadRun[]): LoadResult {
  const latencies = runs.flatMap((r) => r.latencies);
  const seconds = runs.reduce((a, r) => a + r.seconds, 0);
  const errors = runs.reduce((a, r) => a + r.errors, 0);
  return { requests: latencies.length, seconds, rps: latencies.length / seconds, errors, latency: summarize(latencies) };
}

export interface LoadTarget {
  baseUrl: string;
  /** The request to send, by sequence number (so a run can vary keys or ids). */
  request(i: number): LoadRequest;
  expectStatus: number;
}

function sender(target: LoadTarget, agent: http.Agent) {
  const url = new URL(target.baseUrl);
  return (i: number) =>
    new Promise<boolean>((resolve) => {
      const r = target.request(i);
      const req = http.request(
        {
          host: url.hostname,
          port: url.port,
          method: r.method,
          path: r.path,
          agent,
          headers: { ...r.headers, ...(r.body ? { 'content-type': 'application/json' } : {}) },
        },
        (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode === target.expectStatus));
        },
      );
      req.on('error', () => resolve(false));
      req.end(r.body);
    });
}

export async function closedLoop(target: LoadTarget, options: { connections: number; durationMs: number }): Promise<LoadRun> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: options.connections });
  const send = sender(target, agent);
  const latencies: number[] = [];
  let errors = 0;
  let sequence = 0;
  const started = performance.now();
  const until = started + options.durationMs;
  await Promise.all(
    Array.from({ length: options.connections }, async () => {
      while (performance.now() < until) {
        const t0 = performance.now();
        const ok = await send(sequence++);
        latencies.push(performance.now() - t0);
        if (!ok) errors++;
      }
    }),
  );
  agent.destroy();
  return { latencies, errors, seconds: (performance.now() - started) / 1000 };
}

export async function openLoop(target: LoadTarget, options: { rate: number; durationMs: number; connections: number }): Promise<LoadRun> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: options.connections });
  const send = sender(target, agent);
  const total = Math.round((options.rate * options.durationMs) / 1000);
  const interval = 1000 / options.rate;
  const latencies: number[] = [];
  let errors = 0;
  const ownLoop = watchEventLoop();
  const started = performance.now();
  const inflight: Promise<void>[] = [];
  for (let i = 0; i < total; i++) {
    const due = started + i * interval;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    inflight.push(
      send(i).then((ok) => {
        latencies.push(performance.now() - due);
        if (!ok) errors++;
      }),
    );
  }
  await Promise.all(inflight);
  const generatorDelayMs = ownLoop.read();
  ownLoop.stop();
  agent.destroy();
  return { latencies, errors, seconds: (performance.now() - started) / 1000, generatorDelayMs };
}
