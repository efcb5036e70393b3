import { type InstantRange, MILLISECOND_UTC } from '../query/instant-range.js';

/** ranges whose rows are kept, sorted, per index: a range read page after page finds its rows once */
const RANGES_KEPT = 32;

/**
 * The seed rows of a table ordered by one date column (`createdon`), so that a read filtered on a
 * range of it visits that range's rows and not the whole table, as the service's SQL Server seeks
 * its index. Partitioned reads (one request per range of `createdon`, each paged) would otherwise
 * cost the emulator one scan of the table per page of every range.
 *
 * Seed rows are made from their index and the column never changes for them, so the index is built
 * once, on the first read that can use it. Rows written since (the table's overrides and inserted
 * rows) are the table's business: it visits them whatever the range.
 */
export class InstantIndex {
  private readonly kept = new Map<string, Int32Array>();

  private constructor(
    /** every seed row's text is a UTC instant of at most millisecond precision: its instant is exactly what a filter compares */
    readonly exact: boolean,
    private readonly count: number,
    /** each seed row's instant in milliseconds, NaN without one */
    private readonly instants: Float64Array,
    /** the indices of the rows with an instant, by instant */
    private readonly byInstant: Int32Array,
    /** the indices of the rows without one, ascending */
    private readonly withoutInstant: Int32Array,
  ) {}

  static build(count: number, instantOf: (index: number) => unknown): InstantIndex {
    const instants = new Float64Array(count);
    const dated: number[] = [];
    const undated: number[] = [];
    let exact = true;
    for (let i = 0; i < count; i++) {
      const value = instantOf(i);
      const ms = typeof value === 'string' ? Date.parse(value) : NaN;
      instants[i] = ms;
      if (Number.isNaN(ms)) {
        undated.push(i);
        exact &&= value === null || value === undefined;
      } else {
        dated.push(i);
        exact &&= MILLISECOND_UTC.test(value as string);
      }
    }
    dated.sort((a, b) => instants[a]! - instants[b]! || a - b);
    return new InstantIndex(exact, count, instants, Int32Array.from(dated), Int32Array.from(undated));
  }

  /** seed row `index`'s instant in milliseconds, NaN without one */
  instantAt(index: number): number {
    return this.instants[index]!;
  }

  /**
   * The indices of the seed rows in the range, ascending (the table's scan order); undefined when
   * they are more than half the table, which a plain scan visits as cheaply.
   */
  indicesIn(range: InstantRange): Int32Array | undefined {
    const key = `${range.low}|${range.high}|${range.nulls}`;
    const known = this.kept.get(key);
    if (known) {
      // the most recently used last: the first is the one to drop
      this.kept.delete(key);
      this.kept.set(key, known);
      return known;
    }
    const from = this.firstAtLeast(range.low);
    const to = range.high === Infinity ? this.byInstant.length : this.firstAtLeast(range.high, true);
    const size = Math.max(0, to - from) + (range.nulls ? this.withoutInstant.length : 0);
    if (size > this.count / 2) return undefined;
    const indices = new Int32Array(size);
    if (to > from) indices.set(this.byInstant.subarray(from, to));
    if (range.nulls) indices.set(this.withoutInstant, Math.max(0, to - from));
    indices.sort();
    if (this.kept.size >= RANGES_KEPT) this.kept.delete(this.kept.keys().next().value!);
    this.kept.set(key, indices);
    return indices;
  }

  /** the seed rows with an instant, by instant (latest first when `descending`), with it */
  *inOrder(descending: boolean): Generator<{ index: number; at: number }> {
    const n = this.byInstant.length;
    for (let k = 0; k < n; k++) {
      const index = this.byInstant[descending ? n - 1 - k : k]!;
      yield { index, at: this.instants[index]! };
    }
  }

  /** the seed rows without an instant */
  undated(): Int32Array {
    return this.withoutInstant;
  }

  /** the position in `byInstant` of the first row at or past `ms` (past it when `after`) */
  private firstAtLeast(ms: number, after = false): number {
    let lo = 0;
    let hi = this.byInstant.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const at = this.instants[this.byInstant[mid]!]!;
      if (at < ms || (after && at === ms)) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}
