/** A decimal's exact text without trailing fraction zeros: `'12.500'` → `'12.5'`, `'3.000'` → `'3'`. */
export function trimDecimal(text: string): string {
  return text.includes('.') ? text.replace(/0+$/, '').replace(/\.$/, '') : text;
}
