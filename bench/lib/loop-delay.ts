import { monitorEventLoopDelay } from 'node:perf_hooks';

/**
 * This process's event-loop delay since the last read, p99 and max in ms beyond the 2 ms sampling interval (the
 * histogram counts the interval in; src/metrics.ts subtracts it the same way), so an idle loop reads 0.
 */
export function watchEventLoop(): { read(): { p99: number; max: number }; stop(): void } {
  const sampleMs = 2;
  const histogram = monitorEventLoopDelay({ resolution: sampleMs });
  histogram.enable();
  const ms = (ns: number) => Math.max(0, ns / 1e6 - sampleMs);
  return {
    read() {
      const delay = { p99: ms(histogram.percentile(99)), max: ms(histogram.max) };
      histogram.reset();
      return delay;
    },
    stop: () => histogram.disable(),
  };
}
