/**
 * Exact division of scaled integers in DuckDB SQL, which has no exact decimal division (its decimal
 * `/` gives a DOUBLE): the digits of a and b as HUGEINTs, a shifted by a power of ten, divided with `//`.
 */

/** 10^k as a HUGEINT constant */
export function powerOfTen(k: number): string {
  return k <= 18 ? `CAST(${10n ** BigInt(k)} AS HUGEINT)` : `CAST('${10n ** BigInt(k)}' AS HUGEINT)`;
}

/**
 * trunc(a · 10^k / b) for HUGEINT a and b where a · 10^k may pass HUGEINT's range: the integral quotient,
 * then one decimal digit per step from the remainder (which stays below b), as on paper. The divisor
 * rides in the accumulator so the lambda reads no column (a and b may be aggregates). `k` may be an SQL
 * expression (a number of digits known only per row).
 */
export function longDivision(a: string, b: string, k: number | string): string {
  // fields read with struct_extract: DuckDB binds `acc.q` in a grouped query's lambda as a column q
  const field = (name: string) => `struct_extract(acc, '${name}')`;
  const zero = "{'q': CAST(0 AS HUGEINT), 'r': CAST(0 AS HUGEINT), 'b': CAST(1 AS HUGEINT)}";
  const step = `(acc, d) -> {'q': ${field('q')} * 10 + (${field('r')} * 10) // ${field('b')}, 'r': (${field('r')} * 10) % ${field('b')}, 'b': ${field('b')}}`;
  return `struct_extract(list_reduce(list_transform(range(${k}), i -> ${zero}), ${step}, {'q': ${a} // ${b}, 'r': ${a} % ${b}, 'b': ${b}}), 'q')`;
}
