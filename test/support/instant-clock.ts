import type { Clock } from '../../src/util/clock.js';

/** Time that moves on by what is slept, without waiting: retries' backoffs cost a test no real time. */
export function instantClock(): Clock {
  let offset = 0;
  return {
    now: () => Date.now() + offset,
    sleep: async (ms, signal) => {
      if (signal?.aborted) throw signal.reason;
      offset += ms;
    },
  };
}
