// What the load runs (bench, chaos) share: latency summaries, tables, progress lines and a bounded pool.

export interface LatencySummary {
  count: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
}

/** Nearest-rank percentiles of latencies in milliseconds. */
export function summarize(latenciesMs: number[]): LatencySummary {
  const sorted = [...latenciesMs].sort((a, b) => a - b);
  const at = (p: number) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]! : NaN);
  return { count: sorted.length, p50: at(50), p95: at(95), p99: at(99), max: sorted.at(-1) ?? NaN };
}

export const ms = (value: number) => (Number.isFinite(value) ? value.toFixed(value < 10 ? 1 : 0) : '–');

/** A Markdown table; the same text reads well on a terminal. */
export function table(headers: string[], rows: (string | number)[][]): string {
  const cells = [headers, ...rows.map((r) => r.map(String))];
  const widths = headers.map((_, i) => Math.max(...cells.map((r) => r[i]!.length)));
  const line = (r: string[]) => `| ${r.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
  return [line(cells[0]!), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...cells.slice(1).map(line)].join('\n');
}

/** A progress line that rewrites itself on a terminal and prints every few seconds elsewhere. */
export function progress(label: string, total: number): { tick(done: number): void; end(): void } {
  const tty = process.stderr.isTTY;
  const started = Date.now();
  let lastPrint = Date.now();
  const render = (done: number) => {
    const seconds = (Date.now() - started) / 1000;
    const rate = done / Math.max(seconds, 0.001);
    return `  ${label}: ${done}/${total} (${rate.toFixed(1)}/s, ${seconds.toFixed(0)} s)`;
  };
  return {
    tick(done) {
      const now = Date.now();
      if (tty) process.stderr.write(`\r${render(done)}\x1b[K`);
      else if (now - lastPrint > 5_000) {
        process.stderr.write(`${render(done)}\n`);
        lastPrint = now;
      }
    },
    end() {
      process.stderr.write(tty ? `\r${render(total)}\x1b[K\n` : `${render(total)}\n`);
    },
  };
}

/** Runs `task(i)` for i in [0, total) with at most `concurrency` in flight. */
export async function pool(total: number, concurrency: number, task: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, total) }, async () => {
      while (next < total) await task(next++);
    }),
  );
}
