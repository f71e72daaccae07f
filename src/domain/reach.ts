import type { Machine } from './status.js';

// Whether a row has already made a transition: its status is the target or lies beyond it in the transition
// table. A retried activity whose guarded UPDATE changed nothing uses it to tell "done before" (fine) from "the
// row is somewhere this step may not start from" (a bug or a race to report).

/** True when `current` is `target` or reachable from it by allowed transitions. */
export function hasReached<S extends string>(machine: Machine<S>, current: S, target: S): boolean {
  const seen = new Set<S>([target]);
  const queue: S[] = [target];
  while (queue.length > 0) {
    const status = queue.shift()!;
    if (status === current) return true;
    for (const next of machine[status]) {
      if (!seen.has(next)) {
        seen.add(next);
        queue.push(next);
      }
    }
  }
  return false;
}
