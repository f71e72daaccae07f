import { readdir, readFile } from 'node:fs/promises';

// CPU time per process from /proc (Linux), to show where a phase's work went on a machine whose cores every
// part of the stack shares. PostgreSQL is the sum over its processes (backends come and go; the pools keep
// theirs open for the whole run). The worker is shown as its main thread (activities, the SDK's core bridge, the
// payload codec) and the rest (the workflow threads, V8's and libuv's helpers): the two sides of a saga's cost.

/** Processes shown as their main thread and the rest. */
const splitByThread = new Set(['worker']);

const ticksPerSecond = 100; // USER_HZ on Linux

async function cpuOf(pid: number | string, thread?: number | string): Promise<number> {
  try {
    const stat = await readFile(thread === undefined ? `/proc/${pid}/stat` : `/proc/${pid}/task/${thread}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / ticksPerSecond; // utime, stime
  } catch {
    return 0; // gone
  }
}

async function postgresProcesses(): Promise<Record<string, number>> {
  const found: Record<string, number> = {};
  for (const pid of (await readdir('/proc')).filter((d) => /^\d+$/.test(d))) {
    const comm = await readFile(`/proc/${pid}/comm`, 'utf8').catch(() => '');
    if (comm.trim() === 'postgres') found[pid] = await cpuOf(pid);
  }
  return found;
}

/** A process and its children (an API cluster's first process and the ones it forked). */
export async function withChildren(pid: number): Promise<number[]> {
  const children: number[] = [];
  for (const entry of (await readdir('/proc')).filter((d) => /^\d+$/.test(d))) {
    const stat = await readFile(`/proc/${entry}/stat`, 'utf8').catch(() => '');
    if (Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === pid) children.push(Number(entry));
  }
  return [pid, ...children];
}

export interface CpuSample {
  named: Record<string, number>;
  postgres: Record<string, number>;
}

export async function sampleCpu(pids: Record<string, number>): Promise<CpuSample> {
  const entries = (
    await Promise.all(
      Object.entries(pids).map(async ([name, pid]) => {
        const total = await cpuOf(pid);
        if (!splitByThread.has(name)) return [[name, total] as const];
        // The process's total counts threads that have ended too; its main thread's id is its pid.
        const main = await cpuOf(pid, pid);
        return [[`${name}: main thread`, main] as const, [`${name}: other threads`, total - main] as const];
      }),
    )
  ).flat();
  const own = process.cpuUsage();
  return { named: { ...Object.fromEntries(entries), bench: (own.user + own.system) / 1e6 }, postgres: await postgresProcesses() };
}

/** CPU seconds each process spent between two samples (PostgreSQL: its processes alive at both). */
export function cpuSpent(before: CpuSample, after: CpuSample): Record<string, number> {
  const spent = Object.fromEntries(Object.keys(after.named).map((k) => [k, after.named[k]! - (before.named[k] ?? 0)]));
  let postgres = 0;
  for (const [pid, seconds] of Object.entries(after.postgres)) if (pid in before.postgres) postgres += seconds - before.postgres[pid]!;
  return { ...spent, postgres };
}
