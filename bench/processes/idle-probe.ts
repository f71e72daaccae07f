import { watchEventLoop } from '../lib/loop-delay.js';

// A process that does nothing but watch its own event loop (bench/api-load.ts runs it through the paced slices):
// nothing it runs can delay it, so whatever does is the machine (the other processes on its cores, the VM under
// them). Its delay beside the API's and the load generator's says how much of a latency tail this machine adds to
// any server. Asked 'read', it answers the delay since the last read.

const loop = watchEventLoop();
process.on('message', (message) => {
  if (message === 'read') process.send!(loop.read());
});
process.on('disconnect', () => process.exit(0));
