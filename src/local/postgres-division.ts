/**
 * PostgreSQL's numeric division in DuckDB SQL, for the PostgreSQL dialect's `/` of exact numbers and its
 * AVG (the sum's numeric division by the count). PostgreSQL (numeric.c, select_div_scale and div_var)
 * picks the quotient's scale per value and rounds its last digit half away from zero:
 *
 *   rscale = max(16 − 4 · qweight, scale of a, scale of b)
 *
 * where qweight estimates the quotient's weight in base-10,000 digits from the operands' leading digits:
 * weight(a) − weight(b), one less when a's first base-10,000 digit is not above b's. So 123 / 11.7 has 16
 * decimals, 1 / 3 has 20 (0.33333333333333333333) and 1,270,604 / 120 has 12 (10588.366666666667).
 *
 * An operand is its unscaled digits as a HUGEINT (`sql`) and the scale those digits are written at
 * (`scale`), which is also the scale PostgreSQL gives its value, except for a value-scaled operand (an
 * earlier quotient), whose scale is taken as its digits less their trailing zeros (PostgreSQL keeps a
 * quotient's trailing zeros: 1.5000000000000000 has scale 16, read here as 1; the two differ only when
 * that scale decides the next quotient's). The quotient is computed as an integer at the chosen scale
 * plus one digit, rounded, and returned as DECIMAL(38, `keep`): a quotient PostgreSQL gives more than
 * `keep` decimals (smaller than 1e-4 when `keep` is 20) is rounded at `keep`.
 *
 * The operands enter once, as a one-element list that a lambda reads: the formula names each many
 * times, and an operand may itself be a quotient (AVG(x) / 3), whose text would otherwise multiply.
 */
import { longDivision } from './scaled-division.js';

export interface UnscaledOperand {
  sql: string;
  scale: number;
  valueScaled: boolean;
}

/** 10^k as a HUGEINT for a k known only per row (0 ≤ k ≤ 38) */
const dynamicPowerOfTen = (k: string) => `CAST(rpad('1', CAST(${k} AS INTEGER) + 1, '0') AS HUGEINT)`;

/** the digits of |u| as text */
const digitsOf = (u: string) => `CAST(abs(${u}) AS VARCHAR)`;

/** the power of ten of u's leading digit: u · 10^−scale lies in [10^e, 10^(e+1)) */
const exponent = (u: string, scale: number) => `(length(${digitsOf(u)}) - 1 - ${scale})`;

/** PostgreSQL's weight: the base-10,000 position of the leading digit group (0 for a zero) */
const weight = (u: string, scale: number) => `(CASE WHEN ${u} = 0 THEN 0 ELSE CAST(floor(${exponent(u, scale)} / 4) AS INTEGER) END)`;

/** the leading base-10,000 digit (1..9999; 0 for a zero): the first group, padded with zeros on the right */
function firstDigit(u: string, scale: number): string {
  const width = `CAST(${exponent(u, scale)} - 4 * ${weight(u, scale)} + 1 AS INTEGER)`;
  return `(CASE WHEN ${u} = 0 THEN 0 ELSE CAST(left(rpad(${digitsOf(u)}, ${width}, '0'), ${width}) AS INTEGER) END)`;
}

/** the scale PostgreSQL gives an operand's value */
function displayScale(u: string, o: UnscaledOperand): string {
  if (!o.valueScaled) return String(o.scale);
  const digits = digitsOf(u);
  return `(CASE WHEN ${u} = 0 THEN 0 ELSE greatest(${o.scale} - (length(${digits}) - length(rtrim(${digits}, '0'))), 0) END)`;
}

/** a / b as PostgreSQL computes it, as DECIMAL(38, keep); b is not zero (the caller guards) */
export function postgresQuotient(a: UnscaledOperand, b: UnscaledOperand, keep: number): string {
  // inside the lambdas: the operands, then the chosen scale beside them
  const [x, y, r] = ['a', 'b', 'r'].map((field) => `struct_extract(p, '${field}')`) as [string, string, string];
  const qweight = `(${weight(x, a.scale)} - ${weight(y, b.scale)} - CASE WHEN ${firstDigit(x, a.scale)} <= ${firstDigit(y, b.scale)} THEN 1 ELSE 0 END)`;
  const rscale = `least(greatest(16 - 4 * ${qweight}, ${displayScale(x, a)}, ${displayScale(y, b)}, 0), ${keep})`;
  // the quotient at rscale + 1 decimals: trunc(|a| · 10^k / |b|), k = rscale + 1 − a.scale + b.scale
  const k = `(${r} + 1 - ${a.scale} + ${b.scale})`;
  const [ax, ay] = [`abs(${x})`, `abs(${y})`];
  const upward = `(CASE WHEN length(${digitsOf(x)}) + ${k} <= 38 THEN (${ax} * ${dynamicPowerOfTen(k)}) // ${ay} ELSE ${longDivision(ax, ay, k)} END)`;
  const downward = `(CASE WHEN length(${digitsOf(y)}) - ${k} <= 38 THEN ${ax} // (${ay} * ${dynamicPowerOfTen(`-${k}`)}) ELSE (${ax} // ${dynamicPowerOfTen(`-${k}`)}) // ${ay} END)`;
  const rounded = `((CASE WHEN ${k} >= 0 THEN ${upward} ELSE ${downward} END + 5) // 10)`;
  const signed = `(CASE WHEN (${x} < 0) <> (${y} < 0) THEN -${rounded} ELSE ${rounded} END)`;
  // written at `keep` decimals: the digits shifted by keep − rscale
  const atKeep = `(${signed} * ${dynamicPowerOfTen(`${keep} - ${r}`)})`;
  const withScale = `list_transform([{'a': ${a.sql}, 'b': ${b.sql}}], p -> {'a': ${x}, 'b': ${y}, 'r': ${rscale}})`;
  const digits = `list_transform(${withScale}, p -> ${atKeep})[1]`;
  return keep === 0 ? `CAST(${digits} AS DECIMAL(38,0))`
    : `(CAST(${digits} AS DECIMAL(38,0)) * CAST('${(1 / 10 ** keep).toFixed(keep)}' AS DECIMAL(38,${keep})))`;
}
