/**
 * Renders a generated statement as the text dynasql is given: T-SQL, or the PostgreSQL dialect
 * (LIMIT, `||`, `$n` parameters). Parameters are collected in order of appearance.
 */
import type { Expr, FromItem, Join, Pred, Select } from './ast.js';

export interface Rendered { sql: string; params: Record<string, unknown> | unknown[] }

type Dialect = 'tsql' | 'postgresql';

export function renderSql(q: Select, dialect: Dialect): Rendered {
  const named: Record<string, unknown> = {};
  const positional: unknown[] = [];
  const r = new SqlRenderer(dialect, (name, value) => {
    if (dialect === 'tsql') {
      named[name] = value;
      return `@${name}`;
    }
    positional.push(value);
    return `$${positional.length}`;
  });
  return { sql: r.select(q), params: dialect === 'tsql' ? named : positional };
}

/** A predicate alone (for the WHERE of a generated UPDATE or DELETE); parameters numbered from 1. */
export function renderPredicate(p: Pred, dialect: Dialect): Rendered {
  const named: Record<string, unknown> = {};
  const positional: unknown[] = [];
  const r = new SqlRenderer(dialect, (name, value) => {
    if (dialect === 'tsql') {
      named[name] = value;
      return `@${name}`;
    }
    positional.push(value);
    return `$${positional.length}`;
  });
  return { sql: r.pred(p), params: dialect === 'tsql' ? named : positional };
}

/** the PostgreSQL dialect's names of T-SQL's statistical aggregates */
const PG_AGGREGATE: Record<string, string> = { STDEV: 'STDDEV_SAMP', STDEVP: 'STDDEV_POP', VAR: 'VAR_SAMP', VARP: 'VAR_POP' };

export const quoteString = (s: string) => `'${s.replace(/'/g, "''")}'`;

class SqlRenderer {
  constructor(private readonly dialect: Dialect, private readonly param: (name: string, value: unknown) => string) {}

  select(q: Select): string {
    const parts: string[] = [];
    const pg = this.dialect === 'postgresql';
    // PostgreSQL marks a WITH whose CTEs refer to themselves; T-SQL does not
    if (q.ctes?.length) parts.push(`WITH ${pg && q.ctes.some((c) => c.recursive) ? 'RECURSIVE ' : ''}${q.ctes.map((c) => `${c.name} AS (${this.select(c.q)})`).join(', ')}`);
    // T-SQL's TOP cannot go with OFFSET: FETCH NEXT carries the count then
    const body = this.core(q, !q.union?.length && !pg && q.offset === undefined);
    if (q.union?.length) {
      const arms = [body, ...q.union.map((u) => `${u.op ?? 'UNION'}${u.all ? ' ALL' : ''} ${this.core(u.q, false)}`)];
      const whole = arms.join(' ');
      if (q.top !== undefined && !pg && q.offset === undefined) {
        // TOP of a union applies to the first arm in T-SQL: the whole goes into a derived table instead.
        parts.push(`SELECT TOP ${q.top} * FROM (${whole}) u${this.orderBy(q)}`);
      } else parts.push(`${whole}${this.orderBy(q)}${this.limit(q)}`);
    } else {
      parts.push(`${body}${this.orderBy(q)}${this.limit(q)}`);
    }
    return parts.join(' ');
  }

  /** OFFSET … FETCH (T-SQL, after ORDER BY), LIMIT / OFFSET in either order (PostgreSQL) */
  private limit(q: Select): string {
    if (this.dialect === 'postgresql') {
      const limit = q.top !== undefined ? ` LIMIT ${q.top}` : '';
      if (q.offset === undefined) return limit;
      // PostgreSQL takes OFFSET before or after LIMIT (issue 14 #11): both are written
      return q.offset % 2 ? ` OFFSET ${q.offset}${limit}` : `${limit} OFFSET ${q.offset}`;
    }
    if (q.offset === undefined) return '';
    return ` OFFSET ${q.offset} ROWS${q.top !== undefined ? ` FETCH NEXT ${q.top} ROWS ONLY` : ''}`;
  }

  private core(q: Select, withTop: boolean): string {
    let s = 'SELECT ';
    if (q.distinct) s += 'DISTINCT ';
    if (withTop && q.top !== undefined) s += `TOP ${q.top} `;
    s += q.items.map((i) => `${this.expr(i.e)} AS ${i.alias}`).join(', ');
    s += ` FROM ${this.from(q.from)}`;
    for (const j of q.joins ?? []) s += ` ${this.join(j)}`;
    if (q.where) s += ` WHERE ${this.pred(q.where)}`;
    if (q.groupBy?.length) s += ` GROUP BY ${q.groupBy.map((e) => this.expr(e)).join(', ')}`;
    if (q.having) s += ` HAVING ${this.pred(q.having)}`;
    return s;
  }

  private join(j: Join): string {
    const pg = this.dialect === 'postgresql';
    if (j.type === 'CROSS APPLY') return pg ? `CROSS JOIN LATERAL ${this.from(j.from)}` : `CROSS APPLY ${this.from(j.from)}`;
    if (j.type === 'OUTER APPLY') return pg ? `LEFT JOIN LATERAL ${this.from(j.from)} ON true` : `OUTER APPLY ${this.from(j.from)}`;
    return `${j.type === 'LEFT' ? 'LEFT JOIN' : 'JOIN'} ${this.from(j.from)} ON ${this.pred(j.on!)}`;
  }

  private orderBy(q: Select): string {
    if (!q.orderBy?.length) return '';
    return ` ORDER BY ${q.orderBy.map((o) => `${o.alias}${o.desc ? ' DESC' : ''}`).join(', ')}`;
  }

  private from(f: FromItem): string {
    switch (f.k) {
      case 'table': return `${f.table} ${f.alias}`;
      case 'derived':
        if (f.pivot) return `(${this.select(f.pivot.src)}) s PIVOT (${f.pivot.fn}(${f.pivot.value}) FOR ${f.pivot.column} IN (${f.pivot.values.map((v) => `[${v}]`).join(', ')})) ${f.alias}`;
        return `(${this.select(f.q)}) ${f.alias}`;
      case 'cte': return `${f.name} ${f.alias}`;
    }
  }

  expr(e: Expr): string {
    const pg = this.dialect === 'postgresql';
    switch (e.k) {
      case 'col': return `${e.table}.${e.name}`;
      case 'ref': return e.table ? `${e.table}.${e.name}` : e.name;
      case 'lit':
        if (e.v === null) return 'NULL';
        if (typeof e.v === 'number') {
          // a money value written as a decimal literal: `57000` alone would be an int (and AVG of it an int)
          const text = e.ty === 'money' && Number.isInteger(e.v) ? `${e.v}.0` : String(e.v);
          return e.v < 0 ? `(${text})` : text;
        }
        return quoteString(e.v);
      case 'param': return this.param(e.name, e.v);
      case 'bin': {
        const op = e.op === '+' && (e.ty === 'str' || e.ty === 'bin') && pg ? '||' : e.op;
        return `(${this.expr(e.l)} ${op} ${this.expr(e.r)})`;
      }
      case 'neg': return `(-${this.expr(e.e)})`;
      case 'fn': return this.fn(e.name, e.args);
      case 'agg': {
        const fn = pg ? (PG_AGGREGATE[e.fn] ?? e.fn) : e.fn;
        if (!e.arg) return `${fn}(*)`;
        if (e.fn === 'STRING_AGG') {
          const order = (e.within ?? []).map((o) => `${this.expr(o.e)}${o.desc ? ' DESC' : ''}`).join(', ');
          return pg ? `string_agg(${this.expr(e.arg)}, ${quoteString(e.sep ?? ',')} ORDER BY ${order})` : `STRING_AGG(${this.expr(e.arg)}, ${quoteString(e.sep ?? ',')}) WITHIN GROUP (ORDER BY ${order})`;
        }
        return `${fn}(${e.distinct ? 'DISTINCT ' : ''}${this.expr(e.arg)})`;
      }
      case 'case':
        if (e.iif && this.dialect === 'tsql' && e.whens.length === 1 && e.else) return `IIF(${this.pred(e.whens[0]!.when)}, ${this.expr(e.whens[0]!.then)}, ${this.expr(e.else)})`;
        return `CASE ${e.whens.map((w) => `WHEN ${this.pred(w.when)} THEN ${this.expr(w.then)}`).join(' ')}${e.else ? ` ELSE ${this.expr(e.else)}` : ''} END`;
      case 'scalar': return `(${this.select(e.q)})`;
      case 'win': {
        const over = [
          e.partition.length ? `PARTITION BY ${e.partition.map((p) => this.expr(p)).join(', ')}` : '',
          e.order.length ? `ORDER BY ${e.order.map((o) => `${this.expr(o.e)}${o.desc ? ' DESC' : ''}`).join(', ')}` : '',
        ].filter(Boolean).join(' ');
        const args = e.arg ? [this.expr(e.arg)] : e.fn === 'COUNT' ? ['*'] : [];
        if (e.n !== undefined) args.push(String(e.n));
        if (e.dflt) args.push(this.expr(e.dflt));
        return `${e.fn}(${args.join(', ')}) OVER (${over})`;
      }
    }
  }

  private fn(name: string, args: Expr[]): string {
    const a = args.map((x) => this.expr(x));
    if (this.dialect === 'postgresql') {
      switch (name) {
        case 'LEN': return `LENGTH(${a[0]})`;
        case 'ISNULL': return `COALESCE(${a.join(', ')})`;
        case 'CEILING': return `CEIL(${a[0]})`;
        case 'REPLICATE': return `REPEAT(${a.join(', ')})`;
        case 'LOG': return `LN(${a[0]})`;
      }
    }
    // date functions carry their part in the name: DATEADD_DAY → DATEADD(day, …), DATE_TRUNC_MONTH → DATE_TRUNC('month', …)
    const dated = /^(DATEADD|DATEDIFF|DATEPART|DATENAME|DATETRUNC|DATE_PART|DATE_TRUNC)_([A-Z]+)$/.exec(name);
    if (dated) {
      const part = dated[2]!.toLowerCase();
      return `${dated[1]}(${dated[1]!.startsWith('DATE_') ? quoteString(part) : part}, ${a.join(', ')})`;
    }
    if (name === 'PI') return 'PI()';
    if (name === 'TRY_CAST_INT') return `TRY_CAST(${a[0]} AS int)`;
    if (name === 'TRY_CONVERT_INT') return `TRY_CONVERT(int, ${a[0]})`;
    return `${name}(${a.join(', ')})`;
  }

  pred(p: Pred): string {
    switch (p.k) {
      case 'cmp': return `${this.expr(p.l)} ${p.op} ${this.expr(p.r)}`;
      case 'and': return `(${this.pred(p.l)} AND ${this.pred(p.r)})`;
      case 'or': return `(${this.pred(p.l)} OR ${this.pred(p.r)})`;
      case 'not': return `NOT (${this.pred(p.p)})`;
      case 'isnull': return `${this.expr(p.e)} IS ${p.neg ? 'NOT ' : ''}NULL`;
      case 'like': return `${this.expr(p.e)} ${p.neg ? 'NOT ' : ''}LIKE ${quoteString(p.pattern)}${p.escape ? ` ESCAPE ${quoteString(p.escape)}` : ''}`;
      case 'in': return `${this.expr(p.e)} ${p.neg ? 'NOT ' : ''}IN (${p.list.map((x) => this.expr(x)).join(', ')})`;
      case 'between': return `${this.expr(p.e)} ${p.neg ? 'NOT ' : ''}BETWEEN ${this.expr(p.lo)} AND ${this.expr(p.hi)}`;
      // in parentheses: dynasql refuses IS DISTINCT FROM right beside another comparison
      case 'distinct': return `(${this.expr(p.l)} IS ${p.neg ? 'NOT ' : ''}DISTINCT FROM ${this.expr(p.r)})`;
      case 'insub': return `${this.expr(p.e)} ${p.neg ? 'NOT ' : ''}IN (${this.select(p.q)})`;
      case 'exists': return `${p.neg ? 'NOT ' : ''}EXISTS (${this.select(p.q)})`;
    }
  }
}
