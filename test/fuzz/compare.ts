/**
 * Compares dynasql's answer with the oracle's: values made canonical per output type, rows in
 * order when the statement fixes a total order, else as multisets; columns whose string spelling
 * T-SQL leaves open compare case- and trailing-blank-insensitively.
 */
import type { OutputColumn } from './ast.js';

export const ciFold = (s: string) => s.replace(/ +$/, '').toLowerCase();

function canonicalNumber(v: unknown): string {
  if (typeof v === 'boolean') return v ? '1' : '0';
  let text = typeof v === 'bigint' ? v.toString() : typeof v === 'number' ? (Number.isInteger(v) ? String(v) : exactDecimal(v)) : String(v).trim();
  if (/e/i.test(text)) text = exactDecimal(Number(text));
  if (text.includes('.')) text = text.replace(/0+$/, '').replace(/\.$/, '');
  if (text === '-0') text = '0';
  return text;
}

/**
 * A decimal's text rounded half away from zero to `places`, digit by digit (through a double,
 * 53694.02985 became 53694.0298).
 */
export function roundText(text: string, places: number): string {
  const m = /^(-?)(\d*)(?:\.(\d*))?$/.exec(text);
  if (!m) return text;
  const [, sign, whole, fraction = ''] = m;
  const digits = `${whole || '0'}${fraction.padEnd(places + 1, '0').slice(0, places + 1)}`;
  let kept = BigInt(digits.slice(0, -1));
  if (Number(digits.slice(-1)) >= 5) kept += 1n;
  const body = kept.toString().padStart(places + 1, '0');
  const out = `${body.slice(0, -places)}.${body.slice(-places)}`;
  return kept === 0n ? out : `${sign}${out}`;
}

/** the shortest decimal text of a double (no exponent) */
function exactDecimal(n: number): string {
  const s = String(n);
  if (!/e/i.test(s)) return s;
  return n.toFixed(20).replace(/0+$/, '').replace(/\.$/, '');
}

function canonicalDate(v: unknown): string {
  if (v instanceof Date) return v.toISOString();
  const s = String(v);
  if (/^\d{4}-\d{2}-\d{2}$/.test(s)) return `${s}T00:00:00.000Z`;
  const t = s.includes('T') || s.endsWith('Z') ? s : s.replace(' ', 'T');
  const d = new Date(/Z$|[+-]\d\d:\d\d$/.test(t) ? t : `${t}Z`);
  return Number.isNaN(d.getTime()) ? s : d.toISOString();
}

export function canonical(v: unknown, c: OutputColumn): string | null {
  if (v === null || v === undefined) return null;
  switch (c.ty) {
    case 'int': case 'bit': case 'money': {
      const n = canonicalNumber(v);
      if (c.approx) return roundText(n, 4);
      return n;
    }
    case 'dt': case 'date': return canonicalDate(v);
    case 'guid': return String(v).toLowerCase().replace(/^\{|\}$/g, '');
    case 'str': return c.ci ? ciFold(String(v)) : String(v);
    // two engines' floating point may differ in the last bits: 9 significant digits, rounded from 12 so
    // that 16.027343749999998 and 16.02734375 (an exact binary half) do not fall on either side
    case 'float': {
      const x = Number(Number(typeof v === 'bigint' ? v.toString() : v).toPrecision(12));
      return x === 0 ? '0' : x.toPrecision(9);
    }
    // varbinary: its bytes in hex (dynasql and PGlite's bytea both give a Uint8Array)
    case 'bin': return v instanceof Uint8Array ? `0x${Buffer.from(v).toString('hex')}` : `not binary: ${String(v)}`;
  }
}

export type Table = { rows: Record<string, unknown>[] };

export interface Verdict { equal: boolean; detail?: string }

function rowKeys(rows: Record<string, unknown>[], columns: OutputColumn[]): string[] {
  return rows.map((r) => {
    const values = Object.values(r);
    // Columns by position: dynasql and the oracle both name them by the generated aliases.
    return JSON.stringify(columns.map((c, i) => canonical(c.alias in r ? r[c.alias] : values[i], c)));
  });
}

export function compareResults(dyn: Record<string, unknown>[], oracle: Record<string, unknown>[], columns: OutputColumn[], ordered: boolean): Verdict {
  const a = rowKeys(dyn, columns);
  const b = rowKeys(oracle, columns);
  if (!ordered) {
    a.sort();
    b.sort();
  }
  if (a.length !== b.length) return { equal: false, detail: `dynasql ${a.length} rows, oracle ${b.length} rows${firstDifference(a, b)}` };
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return { equal: false, detail: `row ${i}: dynasql ${a[i]} oracle ${b[i]}` };
  return { equal: true };
}

function firstDifference(a: string[], b: string[]): string {
  const sa = new Set(a);
  const sb = new Set(b);
  const onlyA = a.filter((x) => !sb.has(x)).slice(0, 3);
  const onlyB = b.filter((x) => !sa.has(x)).slice(0, 3);
  return `; only dynasql: ${onlyA.join(' ') || '-'}; only oracle: ${onlyB.join(' ') || '-'}`;
}
