import { monitorEventLoopDelay } from 'node:perf_hooks';

// A process that does nothing but watch its own event loop (bench/api-load.ts runs it through the paced slices):
// nothing it runs can delay it, so whatever does is the machine (the other processes on its cores, the VM under
// them). Its delay beside the API's and the load generator's says how much of a latency tail this machine adds to
// any server. Asked 'read', it answers the delay since the last read, in ms beyond the sampling interval.

const sampleMs = 2;
const histogram = monitorEventLoopDelay({ resolution: sampleMs });
histogram.enable();
const ms = (ns: number) => Math.max(0, ns / 1e6 - sampleMs);

process.on('message', (message) => {
  if (message !== 'read') return;
  process.send!({ p99: ms(histogram.percentile(99)), max: ms(histogram.max) });
  histogram.reset();
});
process.on('disconnect', () => process.exit(0));
