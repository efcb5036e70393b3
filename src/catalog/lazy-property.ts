/**
 * A data property computed on first read, then replaced by a plain value property: callers see
 * ordinary data (spread, JSON.stringify and structuredClone read it like any field), but a table
 * nobody touches is never built. Used for the columns of tables loaded from the disk cache and of
 * catalog views: an org of 1,500 tables costs only the tables a session uses.
 *
 *   defineLazy(table, 'columns', () => decodeColumns(bytes));
 */
export function defineLazy<T extends object, K extends keyof T>(target: T, key: K, compute: () => T[K]): void {
  const settle = (value: T[K]): T[K] => {
    Object.defineProperty(target, key, { value, writable: true, enumerable: true, configurable: true });
    return value;
  };
  Object.defineProperty(target, key, {
    get: () => settle(compute()),
    set: (value: T[K]) => settle(value),
    enumerable: true,
    configurable: true,
  });
}
