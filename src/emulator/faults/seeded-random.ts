/**
 * A small seeded PRNG (mulberry32): the same seed yields the same sequence on every run and machine,
 * which is what makes an injected fault reproducible. Not for anything secret.
 *
 *   const r = new SeededRandom(42); r.next()  // always 0.6011037519201636 for seed 42
 */
export class SeededRandom {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** A float in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** An integer in [0, n). */
  below(n: number): number {
    return Math.floor(this.next() * n);
  }
}
