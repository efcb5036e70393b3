/**
 * The result type T-SQL gives each output column of a generated statement, derived here by the
 * documented rules (data type precedence, each function's return type, the aggregates' rules) and
 * compared with the type dynasql reports. Types compare by family: the lengths of strings and the
 * precision of decimals are not checked; `int|bigint` accepts either (LEN and CHARINDEX are bigint
 * over (max) strings, and the generator does not know the columns' lengths).
 *
 * The base columns' types are inputs (the service's metadata, as dynasql's catalog reads it);
 * everything derived from them is checked.
 */
import type { Expr, Select } from './ast.js';

export type Family = 'int' | 'bigint' | 'int|bigint' | 'money' | 'decimal' | 'float' | 'string' | 'bit' | 'datetime' | 'date' | 'guid' | 'null';

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
  }
  return undefined;
}

/** does a reported family satisfy the expected one */
export function familyMatches(expected: Family, reported: Family | undefined): boolean {
  if (expected === 'null') return true;
  if (expected === 'int|bigint') return reported === 'int' || reported === 'bigint';
  return expected === reported;
}

const isInteger = (t: Family) => t === 'int' || t === 'bigint' || t === 'int|bigint' || t === 'bit';

/** T-SQL's data type precedence, highest first (the families the generator produces) */
const PRECEDENCE: Family[] = ['datetime', 'date', 'float', 'decimal', 'money', 'bigint', 'int|bigint', 'int', 'bit', 'guid', 'string', 'null'];

/** the operand type that wins by precedence (NULLs take the other's type) */
function higher(types: Family[]): Family {
  let best: Family = 'null';
  for (const t of types) if (PRECEDENCE.indexOf(t) < PRECEDENCE.indexOf(best)) best = t;
  return best;
}

/** the columns in scope: `alias.column` → family (base tables, derived tables, CTEs) */
export type Env = Map<string, Family>;
/** the CTEs in scope: their column names and families */
type Ctes = Map<string, { names: string[]; types: Family[] }>;

export class ResultTypes {
  constructor(
    /** table name → column name → family (from the service's metadata) */
    private readonly base: Map<string, Map<string, Family>>,
    private readonly dialect: 'tsql' | 'postgresql',
  ) {}

  /** the families of a statement's output columns */
  ofSelect(q: Select, outer: Env = new Map(), ctes: Ctes = new Map()): Family[] {
    const localCtes = new Map(ctes);
    for (const c of q.ctes ?? []) localCtes.set(c.name, { names: c.q.items.map((i) => i.alias), types: this.ofSelect(c.q, outer, localCtes) });
    const arms = [q, ...(q.union ?? []).map((u) => u.q)].map((arm) => this.core(arm, outer, localCtes));
    return q.items.map((_i, n) => higher(arms.map((a) => a[n]!)));
  }

  private core(q: Select, outer: Env, ctes: Ctes): Family[] {
    const env: Env = new Map(outer);
    for (const f of [q.from, ...(q.joins ?? []).map((j) => j.from)]) {
      if (f.k === 'table') for (const [name, fam] of this.base.get(f.table) ?? []) env.set(`${f.alias}.${name}`, fam);
      else {
        const { names, types } = f.k === 'derived' ? { names: f.q.items.map((i) => i.alias), types: this.ofSelect(f.q, new Map(), ctes) } : ctes.get(f.name) ?? { names: [], types: [] };
        names.forEach((name, n) => env.set(`${f.alias}.${name}`, types[n] ?? 'null'));
      }
    }
    return q.items.map((i) => this.expr(i.e, env, ctes));
  }

  expr(e: Expr, env: Env, ctes: Ctes = new Map()): Family {
    const pg = this.dialect === 'postgresql';
    switch (e.k) {
      case 'col': return env.get(`${e.table}.${e.name}`) ?? 'null';
      case 'ref': return env.get(e.table ? `${e.table}.${e.name}` : e.name) ?? 'null';
      case 'lit':
        if (e.v === null) return 'null';
        if (typeof e.v === 'number') return Number.isInteger(e.v) && e.ty !== 'money' && Math.abs(e.v) <= 2_147_483_647 ? 'int' : 'decimal';
        return 'string';
      case 'param': {
        const v = e.v;
        if (v === null) return 'null';
        if (typeof v === 'bigint') return 'bigint';
        if (typeof v === 'boolean') return 'bit';
        if (v instanceof Date) return 'datetime';
        if (typeof v === 'number') return Number.isInteger(v) ? (Math.abs(v) <= 2_147_483_647 ? 'int' : 'bigint') : 'float';
        return 'string';
      }
      case 'bin': {
        const l = this.expr(e.l, env, ctes);
        const r = this.expr(e.r, env, ctes);
        if (e.op === '+' && l === 'string' && r === 'string') return 'string';
        return higher([l, r]);
      }
      case 'neg': return this.expr(e.e, env, ctes);
      case 'case': return higher([...e.whens.map((w) => this.expr(w.then, env, ctes)), ...(e.else ? [this.expr(e.else, env, ctes)] : [])]);
      case 'scalar': return this.ofSelect(e.q, env, ctes)[0] ?? 'null';
      case 'fn': return this.fn(e, env, ctes);
      case 'agg': {
        const arg = e.arg ? this.expr(e.arg, env, ctes) : 'int';
        switch (e.fn) {
          case 'COUNT': return pg ? 'bigint' : 'int';
          case 'COUNT_BIG': return 'bigint';
          // SUM / AVG of an int is an int, of a bigint a bigint (PostgreSQL: SUM of an int bigint, of a bigint numeric; AVG numeric)
          case 'SUM': return isInteger(arg) ? (pg ? (arg === 'bigint' ? 'decimal' : 'bigint') : arg === 'bit' ? 'int' : arg) : arg;
          case 'AVG': return isInteger(arg) ? (pg ? 'decimal' : arg === 'bit' ? 'int' : arg) : arg;
          case 'MIN': case 'MAX': return arg;
          case 'STRING_AGG': return 'string';
          default: return 'float';
        }
      }
      case 'win': {
        const arg = e.arg ? this.expr(e.arg, env, ctes) : 'int';
        switch (e.fn) {
          case 'ROW_NUMBER': case 'RANK': case 'DENSE_RANK': case 'NTILE': return 'bigint';
          case 'PERCENT_RANK': case 'CUME_DIST': return 'float';
          case 'COUNT': return pg ? 'bigint' : 'int';
          case 'SUM': return isInteger(arg) ? (pg ? (arg === 'bigint' ? 'decimal' : 'bigint') : arg) : arg;
          // LAG / LEAD: T-SQL returns the expression's type (the default converts to it); PostgreSQL's
          // lag(anycompatible, integer, anycompatible) resolves the value and the default to their common type
          case 'LAG': case 'LEAD': return pg && e.dflt ? higher([arg, this.expr(e.dflt, env, ctes)]) : arg;
          default: return arg;
        }
      }
    }
  }

  private fn(e: Extract<Expr, { k: 'fn' }>, env: Env, ctes: Ctes): Family {
    const args = e.args.map((a) => this.expr(a, env, ctes));
    const dateArg = (t: Family | undefined): Family => (t === 'date' || t === 'datetime' ? t : 'datetime');
    const part = /^(DATEADD|DATEDIFF|DATEPART|DATENAME|DATETRUNC|DATE_PART|DATE_TRUNC)_/.exec(e.name)?.[1];
    switch (part ?? e.name) {
      case 'UPPER': case 'LOWER': case 'LTRIM': case 'RTRIM': case 'TRIM': case 'REVERSE': case 'LEFT': case 'RIGHT': case 'SUBSTRING':
      case 'REPLACE': case 'REPLICATE': case 'STUFF': case 'CONCAT': case 'CONCAT_WS': case 'SPACE': case 'DATENAME':
        return 'string';
      case 'LEN': case 'CHARINDEX': case 'STRPOS': return 'int|bigint';
      case 'TRY_CAST_INT': case 'TRY_CONVERT_INT': return 'int';
      case 'ABS': case 'SIGN': case 'CEILING': case 'FLOOR': case 'ROUND': case 'POWER': return args[0]!;
      case 'SQRT': case 'EXP': case 'LOG': case 'LOG10': case 'PI': case 'DATE_PART': return 'float';
      // ISNULL takes its first argument's type; COALESCE the highest
      case 'ISNULL': return args[0] === 'null' ? args[1]! : args[0]!;
      case 'COALESCE': return higher(args);
      case 'NULLIF': return args[0]!;
      case 'YEAR': case 'MONTH': case 'DAY': case 'DATEPART': case 'DATEDIFF': return 'int';
      case 'DATEADD': return dateArg(args[1]);
      case 'DATETRUNC': return dateArg(args[0]);
      case 'DATE_TRUNC': return 'datetime';
      case 'EOMONTH': return 'date';
    }
    throw new Error(`result types: no rule for ${e.name}`);
  }
}
