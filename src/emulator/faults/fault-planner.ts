import { Prng } from '../seed/prng.js';
import type { FaultOptions } from './fault-options.js';

export type FaultKind = 'throttle' | 'reset-before' | 'server-error' | 'reset-after-write' | 'truncate' | 'slow-body';

/** What happens to one request: how long it waits, then which fault (if any) it meets. */
export interface FaultPlan {
  delayMs: number;
  fault: FaultKind | undefined;
}

/** The bands of one uniform draw, in this order; a request meets at most one fault. */
const BANDS: ReadonlyArray<readonly [FaultKind, keyof FaultOptions]> = [
  ['throttle', 'throttleBurstRate'],
  ['reset-before', 'resetBeforeResponseRate'],
  ['server-error', 'serverErrorRate'],
  ['reset-after-write', 'resetAfterWriteRate'],
  ['truncate', 'truncateBodyRate'],
  ['slow-body', 'slowBodyRate'],
];

/**
 * Decides, request by request, which fault to inject. Every request draws exactly two numbers (one
 * for the jitter, one for the fault) whatever the options, so the n-th request of a run depends only
 * on the seed and the options, never on timing.
 *
 * The rates are shares of one draw, stacked: with serverErrorRate 0.1 and truncateBodyRate 0.2, a
 * draw below 0.1 (after the bands before it) means a 5xx and the next 0.2 means a truncated body. A
 * reset after a write only applies to writes; a read whose draw lands in that band meets no fault.
 * A throttle draw starts a burst: that request and the next `throttleBurstLength - 1` get 429.
 *
 *   const p = new FaultPlanner({ seed: 1, serverErrorRate: 1 });
 *   p.plan(false).fault === 'server-error'
 */
export class FaultPlanner {
  private random: Prng;
  private burstRemaining = 0;
  readonly injected: Record<FaultKind, number> = { throttle: 0, 'reset-before': 0, 'server-error': 0, 'reset-after-write': 0, truncate: 0, 'slow-body': 0 };
  requestsPlanned = 0;

  constructor(readonly options: FaultOptions) {
    const total = BANDS.reduce((sum, [, key]) => sum + ((options[key] as number | undefined) ?? 0), 0);
    if (total > 1 + 1e-9) throw new Error(`fault rates add up to ${total}; a request meets at most one fault, so their sum must be at most 1`);
    this.random = new Prng(options.seed ?? 1);
  }

  plan(isWrite: boolean): FaultPlan {
    this.requestsPlanned++;
    const jitterDraw = this.random.next();
    const faultDraw = this.random.next();
    const delayMs = (this.options.latencyMs ?? 0) + jitterDraw * (this.options.latencyJitterMs ?? 0);
    let fault: FaultKind | undefined;
    if (this.burstRemaining > 0) {
      this.burstRemaining--;
      fault = 'throttle';
    } else {
      fault = this.pickBand(faultDraw);
      if (fault === 'reset-after-write' && !isWrite) fault = undefined;
      if (fault === 'throttle') this.burstRemaining = (this.options.throttleBurstLength ?? 5) - 1;
    }
    if (fault) this.injected[fault]++;
    return { delayMs, fault };
  }

  totalInjected(): number {
    return Object.values(this.injected).reduce((a, b) => a + b, 0);
  }

  private pickBand(draw: number): FaultKind | undefined {
    let edge = 0;
    for (const [kind, key] of BANDS) {
      const rate = (this.options[key] as number | undefined) ?? 0;
      if (rate <= 0) continue;
      edge += rate;
      if (draw < edge) return kind;
    }
    return undefined;
  }
}
