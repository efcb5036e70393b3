/** FNV-1a 32-bit hash of a string, mixed with a number: the root of every seeded stream. */
export function hash32(text: string, salt = 0): number {
  let h = (0x811c9dc5 ^ salt) >>> 0;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

/**
 * mulberry32: tiny, fast, good enough for test data and reproducible faults; the same seed gives the
 * same stream on every run and machine. Not for anything secret.
 *   new Prng(42).next()  // always 0.6011037519201636
 */
export class Prng {
  private state: number;
  constructor(seed: number) {
    this.state = seed >>> 0;
  }
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  /** an integer in [0, n) */
  below(n: number): number {
    return Math.floor(this.next() * n);
  }
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }
  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)]!;
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
}

const hex = (n: number, width: number) => (n >>> 0).toString(16).padStart(width, '0').slice(-width);

/**
 * Deterministic, invertible GUIDs for generated rows: a per-table prefix plus the row index folded
 * into the last group, so `indexOf(idOf(i)) === i` without any lookup table.
 * e.g. account #5 of seed 1 → `3f1c9a2e-7b41-4e55-a0c3-5d2a00000005` (shape only).
 */
export class GuidSequence {
  private readonly prefix: string;
  private readonly high: string;
  private readonly mask: number;
  constructor(table: string, seed: number, private readonly fixed = new Map<number, string>()) {
    const a = hash32(table, seed);
    const b = hash32(`${table}#b`, seed);
    const c = hash32(`${table}#c`, seed);
    this.prefix = `${hex(a, 8)}-${hex(b, 4)}-4${hex(b >>> 16, 3)}-${'89ab'[c & 3]}${hex(c >>> 4, 3)}-`;
    this.high = hex(c >>> 16, 4);
    this.mask = hash32(`${table}#m`, seed);
  }
  idOf(index: number): string {
    return this.fixed.get(index) ?? `${this.prefix}${this.high}${hex((index ^ this.mask) >>> 0, 8)}`;
  }
  indexOf(id: string, count: number): number {
    for (const [index, fixedId] of this.fixed) if (fixedId === id) return index < count ? index : -1;
    if (id.length !== 36 || !id.startsWith(this.prefix) || id.slice(24, 28) !== this.high) return -1;
    const index = (parseInt(id.slice(28), 16) ^ this.mask) >>> 0;
    return index < count && !this.fixed.has(index) ? index : -1;
  }
}
