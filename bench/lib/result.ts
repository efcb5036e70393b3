/**
 * What every benchmark returns: its figures (free-form, for results.json) and its checks, each a
 * measured value against a target. The runner prints the checks as one table.
 *
 *   { name: 'read', figures: {...}, checks: [{ what: 'stream vs bare loop (throughput)', value: 0.93, target: '>= 0.85', pass: true }] }
 */
export interface Check {
  what: string;
  value: number;
  unit?: string;
  /** the target as text, e.g. '>= 0.85' or '< 1000 ms' */
  target: string;
  pass: boolean;
  note?: string;
}

export interface BenchResult {
  name: string;
  figures: Record<string, unknown>;
  checks: Check[];
  notes?: string[];
}

export function atLeast(what: string, value: number, target: number, unit = '×', note?: string): Check {
  return { what, value, unit, target: `>= ${target}${unit === '×' ? '×' : ` ${unit}`}`, pass: value >= target, ...(note ? { note } : {}) };
}

export function below(what: string, value: number, target: number, unit: string, note?: string): Check {
  return { what, value, unit, target: `< ${target} ${unit}`, pass: value < target, ...(note ? { note } : {}) };
}

export function atMost(what: string, value: number, target: number, unit = '×', note?: string): Check {
  return { what, value, unit, target: `<= ${target}${unit === '×' ? '×' : ` ${unit}`}`, pass: value <= target, ...(note ? { note } : {}) };
}
