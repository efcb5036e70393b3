/**
 * A sliding window of weighted events: how much happened in the last `windowMs` milliseconds.
 * Dataverse evaluates its request-count and execution-time limits this way (5-minute window), so
 * a burst at 10:00:00 stops counting at 10:05:00, not at the next fixed boundary.
 *
 *   const w = new SlidingWindow(2000); w.add(0, 1); w.add(500, 1);
 *   w.total(1000) === 2; w.total(2100) === 1  // the event at t=0 slid out
 */
export class SlidingWindow {
  private readonly times: number[] = [];
  private readonly weights: number[] = [];
  private head = 0;
  private sum = 0;

  constructor(readonly windowMs: number) {}

  add(now: number, weight: number): void {
    this.expire(now);
    this.times.push(now);
    this.weights.push(weight);
    this.sum += weight;
  }

  total(now: number): number {
    this.expire(now);
    return this.sum;
  }

  /** Milliseconds until the oldest event still inside the window slides out (0 when empty). */
  msUntilOldestExpires(now: number): number {
    this.expire(now);
    if (this.head >= this.times.length) return 0;
    return Math.max(0, this.times[this.head]! + this.windowMs - now);
  }

  /**
   * Milliseconds until the total drops to `target` or below, assuming nothing new arrives.
   * Used for Retry-After: with 100 events and a limit of 100, the client may retry when one slides out.
   */
  msUntilTotalAtMost(now: number, target: number): number {
    this.expire(now);
    let remaining = this.sum;
    for (let i = this.head; i < this.times.length && remaining > target; i++) {
      remaining -= this.weights[i]!;
      if (remaining <= target) return Math.max(0, this.times[i]! + this.windowMs - now);
    }
    return 0;
  }

  private expire(now: number): void {
    const cutoff = now - this.windowMs;
    while (this.head < this.times.length && this.times[this.head]! <= cutoff) {
      this.sum -= this.weights[this.head]!;
      this.head++;
    }
    // Compact now and then so a long-running emulator does not keep every timestamp forever.
    if (this.head > 1024 && this.head * 2 > this.times.length) {
      this.times.splice(0, this.head);
      this.weights.splice(0, this.head);
      this.head = 0;
    }
  }
}
