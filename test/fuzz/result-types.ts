/**
 * The result type T-SQL gives each output column of a generated statement, derived here by the
 * documented rules (data type precedence, each function's return type, the aggregates' rules) and
 * compared with the type dynasql reports. Types compare by family, and a decimal's precision and
 * scale too where both sides know them (T-SQL dialect: the rules of "Precision, scale, and length",
 * the 38-digit cap included); the lengths of strings are not checked (dynasql does not report them);
 * `int|bigint` accepts either (LEN and CHARINDEX are bigint over (max) strings, and the generator
 * does not know the columns' lengths).
 *
 * The base columns' types are inputs (the service's metadata, as dynasql's catalog reads it);
 * everything derived from them is checked.
 */
import type { Expr, Select } from './ast.js';

export type Family = 'int' | 'bigint' | 'int|bigint' | 'money' | 'decimal' | 'float' | 'string' | 'bit' | 'datetime' | 'date' | 'guid' | 'binary' | 'null';

/** a reported SQL type name → its family */
export function familyOf(typeName: string): Family | undefined {
  switch (typeName.toLowerCase()) {
    case 'int': case 'smallint': case 'tinyint': return 'int';
    case 'bigint': return 'bigint';
    case 'money': case 'smallmoney': return 'money';
    case 'decimal': case 'numeric': return 'decimal';
    case 'float': case 'real': return 'float';
    case 'nvarchar': case 'varchar': case 'nchar': case 'char': case 'ntext': case 'text': return 'string';
    case 'bit': return 'bit';
    case 'datetime': case 'datetime2': case 'smalldatetime': return 'datetime';
    case 'date': return 'date';
    case 'uniqueidentifier': return 'guid';
    case 'varbinary': case 'binary': return 'binary';
  }
  return undefined;
}

/** a reported column's type (its family, and a decimal's precision and scale when reported) */
export function reportedType(c: { type: string; precision?: number; scale?: number }): SqlT | undefined {
  const f = familyOf(c.type);
  if (f === undefined) return undefined;
  return f === 'decimal' || f === 'money' ? { f, ...(c.precision === undefined ? {} : { p: c.precision }), ...(c.scale === undefined ? {} : { s: c.scale }) } : { f };
}

/** does a reported type satisfy the expected one: its family, and a decimal's precision and scale where both sides know them */
export function typeMatches(expected: SqlT, reported: SqlT | undefined): boolean {
  if (!familyMatches(expected.f, reported?.f)) return false;
  if (expected.f !== 'decimal' || reported === undefined) return true;
  return (expected.p === undefined || reported.p === undefined || expected.p === reported.p) && (expected.s === undefined || reported.s === undefined || expected.s === reported.s);
}

/** a type as T-SQL writes it: decimal(19,4) */
export const typeText = (x: SqlT) => (x.p !== undefined && x.s !== undefined && x.f === 'decimal' ? `decimal(${x.p},${x.s})` : x.f);

/** does a reported family satisfy the expected one */
export function familyMatches(expected: Family, reported: Family | undefined): boolean {
  if (expected === 'null') return true;
  if (expected === 'int|bigint') return reported === 'int' || reported === 'bigint';
  return expected === reported;
}

const isInteger = (t: Family) => t === 'int' || t === 'bigint' || t === 'int|bigint' || t === 'bit';

/** T-SQL's data type precedence, highest first (the families the generator produces) */
const PRECEDENCE: Family[] = ['datetime', 'date', 'float', 'decimal', 'money', 'bigint', 'int|bigint', 'int', 'bit', 'guid', 'string', 'binary', 'null'];

/** the operand type that wins by precedence (NULLs take the other's type) */
function higher(types: Family[]): Family {
  let best: Family = 'null';
  for (const t of types) if (PRECEDENCE.indexOf(t) < PRECEDENCE.indexOf(best)) best = t;
  return best;
}

/**
 * A type: its family, and for decimal and money its precision and scale when they are determined
 * (an integer literal meeting a decimal is left open: T-SQL types it numeric(n,0) by its digits, or
 * numeric(10,0) when the statement is autoparameterized).
 */
export interface SqlT { f: Family; p?: number; s?: number }

/** the columns in scope: `alias.column` → type (base tables, derived tables, CTEs) */
export type Env = Map<string, SqlT>;
/** the CTEs in scope: their column names and types */
type Ctes = Map<string, { names: string[]; types: SqlT[] }>;

const MONEY: SqlT = { f: 'money', p: 19, s: 4 };
const NULL_T: SqlT = { f: 'null' };
const t = (f: Family): SqlT => (f === 'money' ? MONEY : { f });

/** the exact type an operand has when it meets a decimal: integers by their fixed precision */
function asDecimal(x: SqlT): SqlT {
  switch (x.f) {
    case 'int': return { f: 'decimal', p: 10, s: 0 };
    case 'bigint': return { f: 'decimal', p: 19, s: 0 };
    case 'bit': return { f: 'decimal', p: 1, s: 0 };
    case 'money': return { f: 'decimal', p: 19, s: 4 };
    default: return x;
  }
}

/** T-SQL's decimal result of an operator (raw precision and scale, then the 38-digit cap) */
export function decimalResult(op: '+' | '-' | '*' | '/' | '%' | 'union', a: SqlT, b: SqlT): SqlT {
  const { p: p1, s: s1 } = a;
  const { p: p2, s: s2 } = b;
  if (p1 === undefined || s1 === undefined || p2 === undefined || s2 === undefined) return { f: 'decimal' };
  let p: number;
  let s: number;
  switch (op) {
    case '+': case '-': p = Math.max(s1, s2) + Math.max(p1 - s1, p2 - s2) + 1; s = Math.max(s1, s2); break;
    case '*': p = p1 + p2 + 1; s = s1 + s2; break;
    case '/': s = Math.max(6, s1 + p2 + 1); p = p1 - s1 + s2 + s; break;
    case '%': p = Math.min(p1 - s1, p2 - s2) + Math.max(s1, s2); s = Math.max(s1, s2); break;
    case 'union': p = Math.max(s1, s2) + Math.max(p1 - s1, p2 - s2); s = Math.max(s1, s2); break;
  }
  if (p <= 38) return { f: 'decimal', p, s };
  // past 38 digits: + - and union keep the integral digits and cut the scale; * and / keep at least 6 decimals
  const integral = op === '*' || op === '/' ? p - s : Math.max(p1 - s1, p2 - s2);
  return { f: 'decimal', p: 38, s: op === '*' || op === '/' ? Math.min(s, Math.max(38 - integral, 6)) : Math.min(s, 38 - integral) };
}

/** a decimal literal's precision and scale as written (`1234.5` is decimal(5,1), `57000.0` decimal(6,1)) */
export function literalDecimal(text: string): SqlT {
  const [whole = '', fraction = ''] = text.replace(/^-/, '').split('.');
  const digits = whole.replace(/^0+/, '');
  return { f: 'decimal', p: Math.max(digits.length + fraction.length, fraction.length, 1), s: fraction.length };
}

export class ResultTypes {
  constructor(
    /** table name → column name → family or type (from the service's metadata) */
    private readonly base: Map<string, Map<string, Family | SqlT>>,
    private readonly dialect: 'tsql' | 'postgresql',
  ) {}

  /** the families of a statement's output columns */
  ofSelect(q: Select): Family[] {
    return this.exactOfSelect(q).map((x) => x.f);
  }

  /** the types of a statement's output columns, with precision and scale where T-SQL's rules fix them */
  exactOfSelect(q: Select, outer: Env = new Map(), ctes: Ctes = new Map()): SqlT[] {
    const localCtes = new Map(ctes);
    for (const c of q.ctes ?? []) localCtes.set(c.name, { names: c.q.items.map((i) => i.alias), types: this.exactOfSelect(c.q, outer, localCtes) });
    const arms = [q, ...(q.union ?? []).map((u) => u.q)].map((arm) => this.core(arm, outer, localCtes));
    return q.items.map((_i, n) => this.common(arms.map((a) => a[n]!)));
  }

  /** the type of a set operation's column, a CASE, COALESCE: the highest family; decimals by the union rule */
  private common(types: SqlT[]): SqlT {
    const f = higher(types.map((x) => x.f));
    if (f !== 'decimal') return f === 'money' ? MONEY : types.find((x) => x.f === f) ?? { f };
    const decimals = types.filter((x) => x.f !== 'null').map(asDecimal);
    if (decimals.some((x) => x.f !== 'decimal')) return { f };
    return decimals.reduce((a, b) => decimalResult('union', a, b));
  }

  private core(q: Select, outer: Env, ctes: Ctes): SqlT[] {
    const env: Env = new Map(outer);
    for (const f of [q.from, ...(q.joins ?? []).map((j) => j.from)]) {
      if (f.k === 'table') for (const [name, x] of this.base.get(f.table) ?? []) env.set(`${f.alias}.${name}`, typeof x === 'string' ? t(x) : x);
      else {
        const { names, types } = f.k === 'derived' ? { names: f.q.items.map((i) => i.alias), types: this.exactOfSelect(f.q, new Map(), ctes) } : ctes.get(f.name) ?? { names: [], types: [] };
        names.forEach((name, n) => env.set(`${f.alias}.${name}`, types[n] ?? NULL_T));
      }
    }
    return q.items.map((i) => this.exact(i.e, env, ctes));
  }

  expr(e: Expr, env: Env, ctes: Ctes = new Map()): Family {
    return this.exact(e, env, ctes).f;
  }

  exact(e: Expr, env: Env, ctes: Ctes = new Map()): SqlT {
    const x = this.family(e, env, ctes);
    if (x.f !== 'decimal' || this.dialect === 'postgresql') return x.f === 'decimal' ? { f: 'decimal' } : x;
    return x;
  }

  /** the type by T-SQL's rules (the PostgreSQL dialect's families where they differ) */
  private family(e: Expr, env: Env, ctes: Ctes): SqlT {
    const pg = this.dialect === 'postgresql';
    const sub = (x: Expr) => this.exact(x, env, ctes);
    switch (e.k) {
      case 'col': return env.get(`${e.table}.${e.name}`) ?? NULL_T;
      case 'ref': return env.get(e.table ? `${e.table}.${e.name}` : e.name) ?? NULL_T;
      case 'lit':
        if (e.v === null) return NULL_T;
        if (typeof e.v === 'number') {
          if (Number.isInteger(e.v) && e.ty !== 'money' && Math.abs(e.v) <= 2_147_483_647) return { f: 'int' };
          // written as render-sql.ts writes it: a whole money value with '.0'
          return literalDecimal(e.ty === 'money' && Number.isInteger(e.v) ? `${e.v}.0` : String(e.v));
        }
        return { f: 'string' };
      case 'param': {
        const v = e.v;
        if (v === null) return NULL_T;
        if (typeof v === 'bigint') return { f: 'bigint' };
        if (typeof v === 'boolean') return { f: 'bit' };
        if (v instanceof Date) return { f: 'datetime' };
        if (v instanceof Uint8Array) return { f: 'binary' };
        if (typeof v === 'number') return { f: Number.isInteger(v) ? (Math.abs(v) <= 2_147_483_647 ? 'int' : 'bigint') : 'float' };
        return { f: 'string' };
      }
      case 'bin': {
        const l = sub(e.l);
        const r = sub(e.r);
        if (e.op === '+' && l.f === 'string' && r.f === 'string') return { f: 'string' };
        const f = higher([l.f, r.f]);
        // the PostgreSQL dialect's money is numeric(19,4): its arithmetic is numeric's
        if (pg && f === 'money') return { f: 'decimal' };
        if (f !== 'decimal') return t(f);
        // an integer literal's precision is open (see SqlT)
        if ([e.l, e.r].some((x) => x.k === 'lit' && typeof x.v === 'number' && Number.isInteger(x.v) && x.ty !== 'money')) return { f };
        return decimalResult(e.op, asDecimal(l), asDecimal(r));
      }
      case 'neg': return sub(e.e);
      case 'case': return this.branches([...e.whens.map((w) => w.then), ...(e.else ? [e.else] : [])], env, ctes);
      case 'scalar': return this.exactOfSelect(e.q, env, ctes)[0] ?? NULL_T;
      case 'fn': return this.fn(e, env, ctes);
      case 'agg': {
        const arg = e.arg ? sub(e.arg) : { f: 'int' as const };
        const a = arg.f;
        switch (e.fn) {
          case 'COUNT': return { f: pg ? 'bigint' : 'int' };
          case 'COUNT_BIG': return { f: 'bigint' };
          // SUM / AVG of an int is an int, of a bigint a bigint (PostgreSQL: SUM of an int bigint, of a bigint numeric; AVG numeric)
          case 'SUM':
            if (isInteger(a)) return { f: pg ? (a === 'bigint' ? 'decimal' : 'bigint') : a === 'bit' ? 'int' : a };
            return a === 'decimal' ? { f: a, ...(arg.s === undefined ? {} : { p: 38, s: arg.s }) } : arg;
          case 'AVG':
            if (isInteger(a)) return { f: pg ? 'decimal' : a === 'bit' ? 'int' : a };
            if (pg && a === 'money') return { f: 'decimal' };
            return a === 'decimal' ? { f: a, ...(arg.s === undefined ? {} : { p: 38, s: Math.max(arg.s, 6) }) } : arg;
          case 'MIN': case 'MAX': return arg;
          case 'STRING_AGG': return { f: 'string' };
          default: return { f: 'float' };
        }
      }
      case 'win': {
        const arg = e.arg ? sub(e.arg) : { f: 'int' as const };
        const a = arg.f;
        switch (e.fn) {
          case 'ROW_NUMBER': case 'RANK': case 'DENSE_RANK': case 'NTILE': return { f: 'bigint' };
          case 'PERCENT_RANK': case 'CUME_DIST': return { f: 'float' };
          case 'COUNT': return { f: pg ? 'bigint' : 'int' };
          case 'SUM':
            if (isInteger(a)) return { f: pg ? (a === 'bigint' ? 'decimal' : 'bigint') : a };
            return a === 'decimal' ? { f: a, ...(arg.s === undefined ? {} : { p: 38, s: arg.s }) } : arg;
          // LAG / LEAD: T-SQL returns the expression's type (the default converts to it); PostgreSQL's
          // lag(anycompatible, integer, anycompatible) resolves the value and the default to their common type
          case 'LAG': case 'LEAD': return pg && e.dflt ? this.common([arg, sub(e.dflt)]) : arg;
          default: return arg;
        }
      }
    }
  }

  /** CASE's and COALESCE's result: the highest type of the branches (NULL literals have none) */
  private branches(list: Expr[], env: Env, ctes: Ctes): SqlT {
    const types = list.map((x) => this.exact(x, env, ctes));
    // an integer literal meeting a decimal: its precision is open (see SqlT)
    if (higher(types.map((x) => x.f)) === 'decimal' && list.some((x) => x.k === 'lit' && typeof x.v === 'number' && Number.isInteger(x.v) && x.ty !== 'money')) return { f: 'decimal' };
    return this.common(types);
  }

  private fn(e: Extract<Expr, { k: 'fn' }>, env: Env, ctes: Ctes): SqlT {
    const exact = e.args.map((a) => this.exact(a, env, ctes));
    const args = exact.map((x) => x.f);
    const dateArg = (x: Family | undefined): SqlT => ({ f: x === 'date' || x === 'datetime' ? x : 'datetime' });
    const part = /^(DATEADD|DATEDIFF|DATEPART|DATENAME|DATETRUNC|DATE_PART|DATE_TRUNC)_/.exec(e.name)?.[1];
    const family = (f: Family): SqlT => ({ f });
    switch (part ?? e.name) {
      case 'UPPER': case 'LOWER': case 'LTRIM': case 'RTRIM': case 'TRIM': case 'REVERSE': case 'LEFT': case 'RIGHT': case 'SUBSTRING':
      case 'REPLACE': case 'REPLICATE': case 'STUFF': case 'CONCAT': case 'CONCAT_WS': case 'SPACE': case 'DATENAME':
        return family('string');
      case 'LEN': case 'CHARINDEX': case 'STRPOS': return family('int|bigint');
      case 'TRY_CAST_INT': case 'TRY_CONVERT_INT': return family('int');
      // the argument's type (ROUND keeps the scale); CEILING / FLOOR of a decimal: the scale is unverified, the family only
      case 'ABS': case 'ROUND': return exact[0]!;
      case 'SIGN': case 'CEILING': case 'FLOOR': case 'POWER': return args[0] === 'decimal' ? family('decimal') : exact[0]!;
      case 'SQRT': case 'EXP': case 'LOG': case 'LOG10': case 'PI': case 'DATE_PART': return family('float');
      // ISNULL takes its first argument's type; COALESCE the highest
      case 'ISNULL': return args[0] === 'null' ? exact[1]! : exact[0]!;
      case 'COALESCE': return this.branches(e.args, env, ctes);
      case 'NULLIF': return exact[0]!;
      case 'YEAR': case 'MONTH': case 'DAY': case 'DATEPART': case 'DATEDIFF': case 'FISCAL_YEAR': case 'FISCAL_PERIOD': return family('int');
      case 'DATEADD': return dateArg(args[1]);
      case 'DATETRUNC': return dateArg(args[0]);
      case 'DATE_TRUNC': return family('datetime');
      case 'EOMONTH': return family('date');
    }
    throw new Error(`result types: no rule for ${e.name}`);
  }
}
