/**
 * The form under which the service's collation (SQL Server's case-insensitive one, which the local
 * engine reproduces as `lower(rtrim(x))`) sees two strings as equal: case ignored, trailing blanks
 * ignored. `collationKey('Seattle ')` and `collationKey('SEATTLE')` are both `'seattle'`.
 */
export function collationKey(text: string): string {
  let end = text.length;
  while (end > 0 && text.charCodeAt(end - 1) === 32) end--;
  return text.slice(0, end).toLowerCase();
}
