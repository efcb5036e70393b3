/**
 * Numbers of an aggregate's parts as the service wrote them, combined without losing digits: a
 * decimal (money among them) as exact text, since a double cannot hold `316738470.81 + 0.07`
 * exactly; a float with an exponent (`1.5e+21`) as a double, which is what it is.
 * `addNumberTexts('0.1', '0.2')` is `'0.3'`; `compareNumberTexts('20000', '1440062.48')` is -1.
 */

const DECIMAL = /^-?\d+(\.\d+)?$/;
const NUMBER = /^-?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/** a service's number written as text (`'753006.62'`, `'1e+21'`) */
export function isNumberText(text: string): boolean {
  return NUMBER.test(text);
}

/** the digits of a decimal text scaled to `scale` fraction digits, as one signed integer */
function units(text: string, scale: number): bigint {
  const [whole, fraction = ''] = text.split('.');
  const digits = BigInt(`${whole!.replace('-', '')}${fraction.padEnd(scale, '0')}`);
  return whole!.startsWith('-') ? -digits : digits;
}

function scaleOf(a: string, b: string): number {
  return Math.max(a.split('.')[1]?.length ?? 0, b.split('.')[1]?.length ?? 0);
}

/** `a + b`, exactly when both are decimals */
export function addNumberTexts(a: string, b: string): string {
  if (!DECIMAL.test(a) || !DECIMAL.test(b)) return String(Number(a) + Number(b));
  const scale = scaleOf(a, b);
  const sum = units(a, scale) + units(b, scale);
  const negative = sum < 0n;
  const digits = (negative ? -sum : sum).toString().padStart(scale + 1, '0');
  const text = scale > 0 ? `${digits.slice(0, -scale)}.${digits.slice(-scale)}` : digits;
  return negative ? `-${text}` : text;
}

/** -1, 0 or 1 as `a` is less than, equal to or greater than `b`; exactly when both are decimals */
export function compareNumberTexts(a: string, b: string): number {
  if (!DECIMAL.test(a) || !DECIMAL.test(b)) return Math.sign(Number(a) - Number(b));
  const scale = scaleOf(a, b);
  const x = units(a, scale);
  const y = units(b, scale);
  return x < y ? -1 : x > y ? 1 : 0;
}
