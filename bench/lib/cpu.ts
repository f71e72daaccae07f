import { readdir, readFile } from 'node:fs/promises';

// CPU time per process from /proc (Linux), to show where a phase's work went on a machine whose cores every
// part of the stack shares. PostgreSQL is the sum over its processes (backends come and go; the pools keep
// theirs open for the whole run).

const ticksPerSecond = 100; // USER_HZ on Linux

async function cpuOf(pid: number | string): Promise<number> {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / ticksPerSecond; // utime, stime
  } catch {
    return 0; // gone
  }
}

async function postgresCpu(): Promise<number> {
  let total = 0;
  for (const pid of (await readdir('/proc')).filter((d) => /^\d+$/.test(d))) {
    const comm = await readFile(`/proc/${pid}/comm`, 'utf8').catch(() => '');
    if (comm.trim() === 'postgres') total += await cpuOf(pid);
  }
  return total;
}

export type CpuSample = Record<string, number>;

export async function sampleCpu(pids: Record<string, number>): Promise<CpuSample> {
  const entries = await Promise.all(Object.entries(pids).map(async ([name, pid]) => [name, await cpuOf(pid)] as const));
  return { ...Object.fromEntries(entries), postgres: await postgresCpu(), bench: process.cpuUsage().user / 1e6 + process.cpuUsage().system / 1e6 };
}

/** CPU seconds each process spent between two samples. */
export function cpuSpent(before: CpuSample, after: CpuSample): CpuSample {
  return Object.fromEntries(Object.keys(after).map((k) => [k, after[k]! - (before[k] ?? 0)]));
}
