/**
 * A decimal number's text rounded to a scale, exactly (half away from zero, as SQL Server converts
 * numeric to numeric), without trailing fraction zeros. A service that answers an aggregate of money
 * with a double's digits (`14930167.889999999`) is read as the money it stands for (`14930167.89`).
 *
 * `roundDecimalText('14930167.889999999', 4)` → `'14930167.89'`; `roundDecimalText('1.5e-5', 4)` → `'0'`.
 */
export function roundDecimalText(text: string, scale: number): string {
  const match = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/.exec(text.trim());
  if (!match) return text;
  const [, sign, whole = '', fraction = '', exponent = '0'] = match;
  // the digits and where the point sits in them, the exponent applied
  let digits = `${whole}${fraction}`;
  let point = whole.length + Number(exponent);
  if (point < 0) {
    digits = `${'0'.repeat(-point)}${digits}`;
    point = 0;
  }
  if (point > digits.length) digits = digits.padEnd(point, '0');
  const kept = digits.slice(0, point + scale).padEnd(point + scale, '0');
  let units = BigInt(kept === '' ? '0' : kept);
  if ((digits[point + scale] ?? '0') >= '5') units += 1n;
  const text10 = units.toString().padStart(scale + 1, '0');
  const integer = text10.slice(0, text10.length - scale);
  const decimals = text10.slice(text10.length - scale).replace(/0+$/, '');
  const body = `${integer}${decimals ? `.${decimals}` : ''}`;
  return sign === '-' && /[1-9]/.test(body) ? `-${body}` : body;
}
