/**
 * Exact sums and averages of Edm.Decimal values for `$apply`. The service aggregates in SQL Server,
 * where SUM of money is money and SUM of decimal(p,s) is decimal(38,s): exact, never a double's
 * running total (`0.1 + 0.2` is `0.3`, not `0.30000000000000004`). The emulator stores doubles, so each
 * value is read back as the shortest decimal text that denotes it (or the exact text written, when the
 * row kept one) and summed as a scaled integer.
 *
 * `sumDecimalTexts(['14930167.88', '0.01'])` → `'14930167.89'`;
 * `averageDecimalTexts(['1', '2', '2'], 4)` → `'1.6667'`.
 */

/** a double as the shortest plain decimal text that denotes it: `1e-7` → `'0.0000001'` */
export function decimalTextOf(value: number): string {
  const text = String(value);
  const exponent = /^(-?)(\d+)(?:\.(\d+))?e([+-]\d+)$/.exec(text);
  if (!exponent) return text;
  const [, sign, whole, fraction = '', power] = exponent;
  const digits = whole! + fraction;
  const point = whole!.length + Number(power);
  if (point <= 0) return `${sign}0.${'0'.repeat(-point)}${digits}`;
  if (point >= digits.length) return `${sign}${digits}${'0'.repeat(point - digits.length)}`;
  return `${sign}${digits.slice(0, point)}.${digits.slice(point)}`;
}

interface Scaled {
  units: bigint;
  scale: number;
}

function scaled(text: string): Scaled {
  const [whole, fraction = ''] = text.split('.');
  return { units: BigInt(`${whole}${fraction}`), scale: fraction.length };
}

function rescale(value: Scaled, scale: number): bigint {
  return value.units * 10n ** BigInt(scale - value.scale);
}

function textOf(units: bigint, scale: number): string {
  const negative = units < 0n;
  const digits = (negative ? -units : units).toString().padStart(scale + 1, '0');
  const whole = digits.slice(0, digits.length - scale);
  const fraction = digits.slice(digits.length - scale).replace(/0+$/, '');
  return `${negative ? '-' : ''}${whole}${fraction ? `.${fraction}` : ''}`;
}

/** the exact sum of decimal texts */
export function sumDecimalTexts(texts: readonly string[]): string {
  const values = texts.map(scaled);
  const scale = Math.max(0, ...values.map((v) => v.scale));
  return textOf(values.reduce((sum, v) => sum + rescale(v, scale), 0n), scale);
}

/**
 * The average at `scale` decimals, the last one rounded half away from zero. Whether SQL Server rounds
 * or truncates the last digit of a decimal division is not documented (see the README).
 */
export function averageDecimalTexts(texts: readonly string[], scale: number): string {
  const values = texts.map(scaled);
  const inputScale = Math.max(0, ...values.map((v) => v.scale));
  const sum = values.reduce((total, v) => total + rescale(v, inputScale), 0n);
  // sum / count at scale + 1 decimals, then round the extra digit away
  const count = BigInt(values.length);
  const shift = scale + 1 - inputScale;
  const numerator = shift >= 0 ? sum * 10n ** BigInt(shift) : sum / 10n ** BigInt(-shift);
  const extended = numerator / count;
  const rounded = (extended + (extended < 0n ? -5n : 5n)) / 10n;
  return textOf(rounded, scale);
}
