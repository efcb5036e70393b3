/**
 * Renders a generated statement as the oracle's PostgreSQL, with T-SQL's semantics written out:
 * strings compare through `ci()` (case-insensitive, trailing blanks ignored), LIKE is a
 * case-insensitive anchored regular expression (trailing blanks significant, as on nvarchar),
 * AVG(int) truncates, money arithmetic is exact numeric kept to 4 decimals, NULLs sort first
 * ascending, GROUP BY/DISTINCT/UNION group strings by `ci()`. Written independently of dynasql's
 * renderer: nothing here comes from src/.
 *
 * Where T-SQL leaves the answer open (which spelling of equal strings a group shows, MIN/MAX of
 * strings), the output column is marked `ci` and compared case- and trailing-blank-insensitively.
 */
import type { Expr, FromItem, Pred, Select } from './ast.js';
import { decimalResult, literalDecimal, type SqlT } from './result-types.js';
import { ACCOUNT, CONTACT, ORACLE_TYPE, type Ty } from './schema.js';

/** The helper functions the oracle's SQL uses, created once per database. */
export const ORACLE_PRELUDE = `
CREATE OR REPLACE FUNCTION ci(text) RETURNS text LANGUAGE sql IMMUTABLE AS $$ SELECT lower(rtrim($1, ' ')) $$;
-- TRY_CAST(x AS int) of a string, by T-SQL's conversion rules: blanks around the digits are allowed, a
-- sign may lead, '' (or blanks alone) is 0, anything else ('1.5', '1e3', 'abc') or a value outside
-- int is NULL. A function, so that PostgreSQL never folds the cast of a constant that cannot convert.
CREATE OR REPLACE FUNCTION try_int(text) RETURNS integer LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE t text := btrim($1, ' ');
BEGIN
  IF $1 IS NULL THEN RETURN NULL; END IF;
  IF t = '' THEN RETURN 0; END IF;
  IF t !~ '^[+-]?[0-9]+$' OR t::numeric NOT BETWEEN -2147483648 AND 2147483647 THEN RETURN NULL; END IF;
  RETURN t::numeric::integer;
END $$;
`;

export interface OracleRendered { sql: string; ciColumns: boolean[] }

const str = (s: string) => `'${s.replace(/'/g, "''")}'`;

/**
 * T-SQL LIKE pattern → an anchored POSIX regular expression (case handled by `~*`); after the
 * `escape` character, the next character is itself (`!%` is a percent sign).
 */
export function likeToRegex(pattern: string, escape?: string): string {
  let out = '^';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (escape !== undefined && c === escape && i + 1 < pattern.length) {
      const next = pattern[++i]!;
      out += /[.*+?^${}()|[\]\\]/.test(next) ? `\\${next}` : next;
    } else if (c === '%') out += '.*';
    else if (c === '_') out += '.';
    else if (c === '[') {
      const end = pattern.indexOf(']', i + 2);
      if (end < 0) out += '\\[';
      else {
        const inner = pattern.slice(i + 1, end);
        const negated = inner.startsWith('^');
        const body = (negated ? inner.slice(1) : inner).replace(/\\/g, '\\\\');
        out += `[${negated ? '^' : ''}${body}]`;
        i = end;
      }
    } else out += /[.*+?^${}()|[\]\\]/.test(c) ? `\\${c}` : c;
  }
  return `${out}$`;
}

const regexEscape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

interface Scope {
  /** GROUP BY keys (rendered in row context) when the select is grouped */
  groupKeys?: Expr[];
  /** derived-table / CTE columns whose spelling is open */
  ambiguous: Set<string>;
  /** set while rendering an item when it used an open spelling */
  usedAmbiguous: boolean;
}

const same = (a: Expr, b: Expr) => JSON.stringify(a) === JSON.stringify(b);

/**
 * `dialect` 'postgresql': the few functions whose answer differs by dialect follow PostgreSQL
 * (AVG of an integer is numeric; LENGTH counts trailing blanks), as dynasql documents.
 */
export function renderOracle(q: Select, dialect: 'tsql' | 'postgresql' = 'tsql'): OracleRendered {
  const r = new OracleRenderer(dialect);
  return r.top(q);
}

class OracleRenderer {
  constructor(private readonly dialect: 'tsql' | 'postgresql' = 'tsql') {}

  /** ambiguous output columns of each CTE, by name */
  private readonly cteAmbiguous = new Map<string, Set<string>>();

  top(q: Select): OracleRendered {
    const { sql, ci } = this.select(q);
    return { sql, ciColumns: ci };
  }

  /** the whole select: CTEs, arms, union, order, limit; returns which columns are ci-ambiguous */
  select(q: Select): { sql: string; ci: boolean[] } {
    let prefix = '';
    if (q.ctes?.length) {
      const defs = q.ctes.map((c) => {
        const inner = this.select(c.q);
        this.cteAmbiguous.set(c.name, new Set(c.q.items.filter((_i, n) => inner.ci[n]).map((i) => i.alias)));
        return `${c.name} AS (${inner.sql})`;
      });
      prefix = `WITH ${q.ctes.some((c) => c.recursive) ? 'RECURSIVE ' : ''}${defs.join(', ')} `;
    }
    const first = this.core(q);
    let body = first.sql;
    let ci = first.ci;
    if (q.union?.length) {
      const arms = [first, ...q.union.map((u) => this.core(u.q))];
      ci = ci.map((c, n) => c || arms.some((a) => a.ci[n]));
      const names = q.items.map((i) => i.alias);
      const tys = q.items.map((i) => i.e.ty);
      /** a row's set key: strings by the collation (NULLs equal, as set operations treat them) */
      const key = (t: string, n: number) => (tys[n] === 'str' ? `ci(${t}.${names[n]})` : `${t}.${names[n]}`);
      const distinctOf = (from: string, where = '') =>
        `SELECT ${names.map((n, k) => (tys[k] === 'str' ? `min(u.${n}) AS ${n}` : `u.${n} AS ${n}`)).join(', ')} FROM ${from} u${where} GROUP BY ${names.map((_n, k) => key('u', k)).join(', ')}`;
      const op = q.union[0]!.op;
      if (op) {
        // EXCEPT / INTERSECT (one further arm): the first arm's distinct rows whose key the second has (or lacks).
        // Both arms' rows meet in one grouping by the key, each tagged with its arm, so PostgreSQL hashes them: a
        // NOT EXISTS matching `ci(v.x) IS NOT DISTINCT FROM ci(u.x)` compared every pair (6,000 × 6,000 contacts
        // in the paged world took minutes per statement).
        const tagged = (arm: string, side: number) => `SELECT ${names.map((n) => `a.${n}`).join(', ')}, ${side} AS fz_arm FROM (${arm}) a`;
        const both = `(${tagged(arms[0]!.sql, 0)} UNION ALL ${tagged(arms[1]!.sql, 1)})`;
        body = `SELECT ${names.map((n, k) => (tys[k] === 'str' ? `min(u.${n}) FILTER (WHERE u.fz_arm = 0) AS ${n}` : `u.${n} AS ${n}`)).join(', ')} FROM ${both} u`
          + ` GROUP BY ${names.map((_n, k) => key('u', k)).join(', ')} HAVING ${op === 'EXCEPT' ? 'max(u.fz_arm) = 0' : 'min(u.fz_arm) = 0 AND max(u.fz_arm) = 1'}`;
        ci = ci.map((c, k) => c || tys[k] === 'str');
      } else if (q.union.every((u) => u.all)) body = arms.map((a) => `(${a.sql})`).join(' UNION ALL ');
      else {
        // T-SQL evaluates left to right; mixing UNION and UNION ALL is not generated.
        body = distinctOf(`(${arms.map((a) => `(${a.sql})`).join(' UNION ALL ')})`);
        ci = ci.map((c, k) => c || tys[k] === 'str');
      }
    }
    if (q.orderBy?.length || q.top !== undefined || q.offset !== undefined) {
      const tyOf = new Map(q.items.map((i) => [i.alias, i.e.ty]));
      const keys = (q.orderBy ?? []).map((o) => {
        const ref = tyOf.get(o.alias) === 'str' ? `ci(o.${o.alias})` : `o.${o.alias}`;
        return `${ref} ${o.desc ? 'DESC NULLS LAST' : 'ASC NULLS FIRST'}`;
      });
      body = `SELECT * FROM (${body}) o${keys.length ? ` ORDER BY ${keys.join(', ')}` : ''}${q.top !== undefined ? ` LIMIT ${q.top}` : ''}${q.offset !== undefined ? ` OFFSET ${q.offset}` : ''}`;
    }
    return { sql: prefix + body, ci };
  }

  private core(q: Select): { sql: string; ci: boolean[] } {
    const ambiguous = new Set<string>();
    const fromSql = [this.from(q.from, ambiguous), ...(q.joins ?? []).map((j) => {
      const f = this.from(j.from, ambiguous);
      // APPLY is a lateral join: CROSS APPLY keeps the outer rows with inner rows, OUTER APPLY every outer row
      if (j.type === 'CROSS APPLY') return `CROSS JOIN LATERAL ${f}`;
      if (j.type === 'OUTER APPLY') return `LEFT JOIN LATERAL ${f} ON true`;
      return `${j.type === 'LEFT' ? 'LEFT JOIN' : 'JOIN'} ${f} ON ${this.pred(j.on!, { ambiguous, usedAmbiguous: false })}`;
    })].join(' ');
    const rowScope: Scope = { ambiguous, usedAmbiguous: false };
    const where = q.where ? ` WHERE ${this.pred(q.where, rowScope)}` : '';
    const grouped = q.groupBy?.length || q.items.some((i) => hasAgg(i.e));
    if (q.distinct && !grouped) {
      const ci = q.items.map((i) => i.e.ty === 'str');
      const items = q.items.map((i) => {
        const x = this.expr(i.e, rowScope);
        return i.e.ty === 'str' ? `min(${x}) AS ${i.alias}` : `${x} AS ${i.alias}`;
      });
      const keys = q.items.map((i) => (i.e.ty === 'str' ? `ci(${this.expr(i.e, rowScope)})` : this.expr(i.e, rowScope)));
      return { sql: `SELECT ${items.join(', ')} FROM ${fromSql}${where} GROUP BY ${keys.join(', ')}`, ci };
    }
    const scope: Scope = { ambiguous, usedAmbiguous: false, groupKeys: grouped ? (q.groupBy ?? []) : undefined };
    const ci: boolean[] = [];
    const items = q.items.map((i) => {
      scope.usedAmbiguous = false;
      const x = this.expr(i.e, scope);
      ci.push(i.e.ty === 'str' && scope.usedAmbiguous);
      return `${x} AS ${i.alias}`;
    });
    let sql = `SELECT ${items.join(', ')} FROM ${fromSql}${where}`;
    if (q.groupBy?.length) sql += ` GROUP BY ${q.groupBy.map((g) => (g.ty === 'str' ? `ci(${this.expr(g, rowScope)})` : this.expr(g, rowScope))).join(', ')}`;
    if (q.having) sql += ` HAVING ${this.pred(q.having, scope)}`;
    return { sql, ci };
  }

  private from(f: FromItem, ambiguous: Set<string>): string {
    switch (f.k) {
      case 'table': return `${f.table} ${f.alias}`;
      case 'derived': {
        const inner = this.select(f.q);
        f.q.items.forEach((i, n) => { if (inner.ci[n]) ambiguous.add(`${f.alias}.${i.alias}`); });
        return `(${inner.sql}) ${f.alias}`;
      }
      case 'cte': {
        for (const name of this.cteAmbiguous.get(f.name) ?? []) ambiguous.add(`${f.alias}.${name}`);
        return `${f.name} ${f.alias}`;
      }
    }
  }

  private lit(ty: Ty, v: string | number | bigint | boolean | Date | Uint8Array | null): string {
    if (v === null) return `NULL::${ORACLE_TYPE[ty]}`;
    // varbinary as bytea in hex (both compare byte by byte)
    if (v instanceof Uint8Array) return `'\\x${Buffer.from(v).toString('hex')}'::bytea`;
    if (v instanceof Date) return `${str(v.toISOString().replace('Z', ''))}::${ORACLE_TYPE[ty]}`;
    if (typeof v === 'boolean') return v ? '1' : '0';
    switch (ty) {
      case 'int': case 'bit': return `(${Number(v)})`;
      case 'money': return `(${String(v)})::numeric`;
      case 'str': return `${str(String(v))}::text`;
      case 'dt': return `${str(String(v))}::timestamp`;
      case 'date': return `${str(String(v))}::date`;
      case 'guid': return `${str(String(v))}::uuid`;
      case 'float': return `(${String(v)})::float8`;
      case 'bin': throw new Error(`oracle: a binary value must be a Uint8Array, not ${typeof v}`);
    }
  }

  /**
   * A varbinary operand of a comparison without its trailing 0x00 bytes: T-SQL pads the shorter
   * value with 0x00, which orders and equates as PostgreSQL's bytea order of the trimmed values.
   */
  private binKey(e: Expr, s: Scope): string {
    return `rtrim(${this.expr(e, s)}, '\\x00'::bytea)`;
  }

  /** a string operand of a comparison: `ci()` of it (a grouped string key is its own group expression) */
  private ciOf(e: Expr, s: Scope): string {
    if (s.groupKeys?.some((g) => same(g, e))) return `ci(${this.expr(e, { ...s, groupKeys: undefined })})`;
    return `ci(${this.expr(e, s)})`;
  }

  expr(e: Expr, s: Scope): string {
    if (s.groupKeys && e.k !== 'agg' && e.k !== 'lit' && e.k !== 'param' && s.groupKeys.some((g) => same(g, e))) {
      const row = this.expr(e, { ...s, groupKeys: undefined });
      if (e.ty === 'str') {
        s.usedAmbiguous = true;
        return `min(${row})`;
      }
      return row;
    }
    switch (e.k) {
      case 'col': return `${e.table}.${e.name}`;
      case 'ref': {
        const name = e.table ? `${e.table}.${e.name}` : e.name;
        if (s.ambiguous.has(name)) s.usedAmbiguous = true;
        return name;
      }
      case 'lit': return this.lit(e.ty, e.v);
      case 'param': return this.lit(e.ty, e.v);
      case 'bin': {
        const l = this.expr(e.l, s);
        const r = this.expr(e.r, s);
        if (e.ty === 'str' || e.ty === 'bin') return `(${l} || ${r})`;
        // money / int is money (4 decimals); with a decimal operand the quotient is a decimal whose scale T-SQL's
        // division rule fixes, cut there (KNOWN.md O6: SUM(1 / 2.75) over 300 rows sums 0.363636 each)
        if (e.ty === 'money' && e.op === '/' && (isDecimal(e.l) || isDecimal(e.r))) {
          const scale = this.dialect === 'tsql' ? quotientScale(e.l, e.r) : undefined;
          return scale === undefined ? `(${l}::numeric / ${r})` : `trunc(${l}::numeric / ${r}, ${scale})`;
        }
        // PostgreSQL: money is numeric(19,4) to its clients, and its quotient PostgreSQL's numeric one
        if (e.ty === 'money' && e.op === '/') return this.dialect === 'postgresql' ? `(${l}::numeric / ${r})` : `round(${l}::numeric / ${r}, 4)`;
        if (e.ty === 'money') return `(${l}::numeric ${e.op} ${r})`;
        return `(${l} ${e.op} ${r})`;
      }
      case 'neg': return `(-${this.expr(e.e, s)})`;
      case 'fn': return this.fn(e, s);
      case 'agg': return this.agg(e, s);
      case 'case': {
        const whens = e.whens.map((w) => `WHEN ${this.pred(w.when, s)} THEN ${this.expr(w.then, s)}`).join(' ');
        const sql = `(CASE ${whens}${e.else ? ` ELSE ${this.expr(e.else, s)}` : ''} END)`;
        return asDate([...e.whens.map((w) => w.then), ...(e.else ? [e.else] : [])]) ? `(${sql})::date` : sql;
      }
      case 'scalar': {
        const inner = this.select(e.q);
        if (inner.ci[0]) s.usedAmbiguous = true;
        return `(${inner.sql})`;
      }
      case 'win': {
        const part = e.partition.map((p) => (p.ty === 'str' ? `ci(${this.expr(p, s)})` : this.expr(p, s)));
        const order = e.order.map((o) => `${o.e.ty === 'str' ? `ci(${this.expr(o.e, s)})` : this.expr(o.e, s)} ${o.desc ? 'DESC NULLS LAST' : 'ASC NULLS FIRST'}`);
        const over = `${part.length ? `PARTITION BY ${part.join(', ')}` : ''}${order.length ? ` ORDER BY ${order.join(', ')}` : ''}`;
        const fn = e.fn.toLowerCase();
        if (e.fn === 'ROW_NUMBER' || e.fn === 'RANK' || e.fn === 'DENSE_RANK') return `(${fn}() OVER (${over}))::int`;
        if (e.fn === 'NTILE') return `(ntile(${e.n}) OVER (${over}))::int`;
        if (e.fn === 'PERCENT_RANK' || e.fn === 'CUME_DIST') return `(${fn}() OVER (${over}))`;
        const arg = e.arg ? this.expr(e.arg, { ...s, groupKeys: undefined }) : '*';
        if (e.fn === 'LAG' || e.fn === 'LEAD') {
          const dflt = e.dflt ? `, ${this.expr(e.dflt, s)}` : '';
          return `(${fn}(${arg}, ${e.n ?? 1}${dflt}) OVER (${over}))`;
        }
        if (e.fn === 'COUNT') return `(count(${arg}) OVER (${over}))::int`;
        if ((e.fn === 'MIN' || e.fn === 'MAX') && e.arg?.ty === 'str') {
          s.usedAmbiguous = true;
          return `(${fn}(ci(${arg})) OVER (${over}))`;
        }
        if (e.fn === 'SUM' && e.arg?.ty === 'int') return `(sum(${arg}) OVER (${over}))::int`;
        return `(${fn}(${arg}) OVER (${over}))`;
      }
    }
  }

  private agg(e: Extract<Expr, { k: 'agg' }>, s: Scope): string {
    const inner: Scope = { ...s, groupKeys: undefined };
    if (!e.arg) return 'count(*)::int';
    const argTy = e.arg.ty;
    const x = this.expr(e.arg, inner);
    if (inner.usedAmbiguous) s.usedAmbiguous = true;
    const d = e.distinct ? 'DISTINCT ' : '';
    const keyed = argTy === 'str' ? `ci(${x})` : x;
    switch (e.fn) {
      case 'STRING_AGG': {
        // NULL values are skipped (no separator for them); the order is total; strings order by the collation
        const order = (e.within ?? []).map((o) => `${o.e.ty === 'str' ? `ci(${this.expr(o.e, inner)})` : this.expr(o.e, inner)} ${o.desc ? 'DESC NULLS LAST' : 'ASC NULLS FIRST'}`);
        return `string_agg(${x}, ${str(e.sep ?? ',')}${order.length ? ` ORDER BY ${order.join(', ')}` : ''})`;
      }
      case 'COUNT': case 'COUNT_BIG': return `count(${d}${keyed})::int`;
      case 'STDEV': return `stddev_samp(${d}(${x})::float8)`;
      case 'STDEVP': return `stddev_pop(${d}(${x})::float8)`;
      case 'VAR': return `var_samp(${d}(${x})::float8)`;
      case 'VARP': return `var_pop(${d}(${x})::float8)`;
      case 'SUM': return argTy === 'int' ? `sum(${d}${x})::int` : `sum(${d}${x})`;
      case 'AVG':
        // AVG(int) is computed in int: the sum is an int (past 2^31 an overflow, as T-SQL's), divided by
        // the count truncated toward zero; AVG(money) stays money. PostgreSQL: numeric's AVG, money's too
        if ((argTy === 'int' || argTy === 'money') && this.dialect === 'postgresql') return `avg(${d}${x})`;
        return argTy === 'int' ? `(sum(${d}${x})::int / count(${d}${x})::int)` : `round(avg(${d}${x}), 4)`;
      case 'MIN': case 'MAX':
        if (argTy === 'str') {
          s.usedAmbiguous = true;
          return `${e.fn.toLowerCase()}(ci(${x}))`;
        }
        return `${e.fn.toLowerCase()}(${x})`;
    }
  }

  private fn(e: Extract<Expr, { k: 'fn' }>, s: Scope): string {
    const a = e.args.map((x) => this.expr(x, s));
    switch (e.name) {
      case 'UPPER': return `upper(${a[0]})`;
      case 'LOWER': return `lower(${a[0]})`;
      case 'LEN': return this.dialect === 'postgresql' ? `length(${a[0]})` : `length(rtrim(${a[0]}, ' '))`;
      case 'LTRIM': return `ltrim(${a[0]}, ' ')`;
      case 'RTRIM': return `rtrim(${a[0]}, ' ')`;
      case 'LEFT': return `left(${a[0]}, ${a[1]})`;
      case 'RIGHT': return `right(${a[0]}, ${a[1]})`;
      case 'SUBSTRING': return `substr(${a[0]}, ${a[1]}, ${a[2]})`;
      case 'CHARINDEX': {
        if (a.length < 3) return `strpos(lower(${a[1]}), lower(${a[0]}))`;
        // from a start position (below 1 counts as 1): the position in the whole string, 0 when not found
        const found = `strpos(lower(substr(${a[1]}, greatest(${a[2]}, 1))), lower(${a[0]}))`;
        return `(CASE WHEN ${found} = 0 THEN 0 ELSE ${found} + greatest(${a[2]}, 1) - 1 END)`;
      }
      case 'REPLACE': {
        const pattern = e.args[1]!;
        const replacement = e.args[2]!;
        if (pattern.k !== 'lit' || replacement.k !== 'lit' || typeof pattern.v !== 'string' || typeof replacement.v !== 'string') throw new Error('REPLACE takes literals');
        // REPLACE compares in the collation: case-insensitively.
        return `regexp_replace(${a[0]}, ${str(regexEscape(pattern.v))}, ${str(replacement.v.replace(/\\/g, '\\\\').replace(/&/g, '\\&'))}, 'gi')`;
      }
      case 'CONCAT': return `concat(${a.join(', ')})`;
      case 'ISNULL': {
        // ISNULL is typed as its first argument: string literals alone make it a varchar as wide as the
        // longest, and the replacement is cut to that width (KNOWN O3)
        const width = literalWidth(e.args[0]!);
        const replacement = e.args[1]!;
        if (width !== undefined && replacement.k === 'lit' && typeof replacement.v === 'string') {
          const text = `left(coalesce(${this.asText(e.args[0]!, s)}, ${str(replacement.v)}::text), ${width})`;
          return e.ty === 'str' ? text : `(${text})::${ORACLE_TYPE[e.ty]}`;
        }
        // ISNULL of anything else is the COALESCE of two (a date first argument makes the result a date)
        return asDate(e.args.slice(0, 1), true) ? `(coalesce(${a.join(', ')}))::date` : `coalesce(${a.join(', ')})`;
      }
      case 'COALESCE': return asDate(e.args) ? `(coalesce(${a.join(', ')}))::date` : `coalesce(${a.join(', ')})`;
      case 'NULLIF':
        if (e.ty === 'str') return `(CASE WHEN ci(${a[0]}) = ci(${a[1]}) THEN NULL ELSE ${a[0]} END)`;
        return `nullif(${a[0]}, ${a[1]})`;
      case 'ABS': return `abs(${a[0]})`;
      case 'SIGN': return e.ty === 'int' ? `sign(${a[0]})::int` : `sign(${a[0]})`;
      case 'CEILING': return `ceil(${a[0]})`;
      case 'FLOOR': return `floor(${a[0]})`;
      case 'ROUND': return `round(${a[0]}, ${a[1]})`;
      // the fiscal calendar the harness gives the organization (harness.ts FUZZ_FISCAL): years from 1 July, named by the
      // calendar year they end in, four quarters
      case 'FISCAL_YEAR': return `(extract(year from ${a[0]})::int + (extract(month from ${a[0]}) >= 7)::int)`;
      case 'FISCAL_PERIOD': return `(((extract(month from ${a[0]})::int + 5) % 12) / 3 + 1)`;
      case 'YEAR': return `extract(year from ${a[0]})::int`;
      case 'MONTH': return `extract(month from ${a[0]})::int`;
      case 'DAY': return `extract(day from ${a[0]})::int`;
      case 'TRIM': return `btrim(${a[0]}, ' ')`;
      case 'REVERSE': return `reverse(${a[0]})`;
      // REPLICATE / SPACE of a negative count is NULL in T-SQL
      case 'REPLICATE': return `(CASE WHEN ${a[1]} < 0 THEN NULL ELSE repeat(${a[0]}, ${a[1]}) END)`;
      case 'SPACE': return `(CASE WHEN ${a[0]} < 0 THEN NULL ELSE repeat(' ', ${a[0]}) END)`;
      // STUFF: NULL when the start is before the first character or past the last (trailing blanks count), or the length is negative
      case 'STUFF': return `(CASE WHEN ${a[1]} < 1 OR ${a[1]} > length(${a[0]}) OR ${a[2]} < 0 THEN NULL ELSE overlay(${a[0]} placing ${a[3]} from ${a[1]} for ${a[2]}) END)`;
      case 'CONCAT_WS': return `concat_ws(${a.join(', ')})`;
      case 'STRPOS': return `strpos(lower(${a[0]}), lower(${a[1]}))`;
      case 'SQRT': return `sqrt((${a[0]})::float8)`;
      case 'EXP': return `exp((${a[0]})::float8)`;
      case 'LOG': return a.length > 1 ? `(ln((${a[0]})::float8) / ln((${a[1]})::float8))` : `ln((${a[0]})::float8)`;
      case 'LOG10': return `log((${a[0]})::float8)`;
      case 'PI': return 'pi()';
      case 'TRY_CAST_INT': case 'TRY_CONVERT_INT': return `try_int(${a[0]})`;
      // POWER(int, int) is an int in T-SQL
      case 'POWER': return e.ty === 'int' ? `(power((${a[0]})::float8, ${a[1]}))::int` : `power(${a[0]}, ${a[1]})`;
      case 'EOMONTH': return `(date_trunc('month', ${a[0]}) + interval '1 month' - interval '1 day')::date`;
    }
    const dated = /^(DATEADD|DATEDIFF|DATEPART|DATENAME|DATETRUNC|DATE_PART|DATE_TRUNC)_([A-Z]+)$/.exec(e.name);
    if (dated) return this.dateFn(dated[1]!, dated[2]!.toLowerCase(), e, a);
    throw new Error(`oracle: no rendering for ${e.name}`);
  }

  /** an expression of string literals (and CASEs of them) as text, whatever type the generator gave it */
  private asText(e: Expr, s: Scope): string {
    if (e.k === 'lit') return e.v === null ? 'NULL::text' : `${str(String(e.v))}::text`;
    if (e.k === 'case') return `(CASE ${e.whens.map((w) => `WHEN ${this.pred(w.when, s)} THEN ${this.asText(w.then, s)}`).join(' ')}${e.else ? ` ELSE ${this.asText(e.else, s)}` : ''} END)`;
    return this.expr(e, s);
  }

  /**
   * T-SQL's date functions with their part: DATEDIFF counts the boundaries crossed (weeks start on
   * Sunday, DATEFIRST 7), DATEPART(week) counts from the week of January 1st, DATEPART(weekday) is
   * 1 on Sunday, DATENAME gives English names; PostgreSQL's DATE_PART is a double, DATE_TRUNC a timestamp.
   */
  private dateFn(fn: string, part: string, e: Extract<Expr, { k: 'fn' }>, a: string[]): string {
    // a date argument counts from its midnight (extract(hour …) needs a timestamp)
    const x = (p: string, d: string) => `extract(${p} from (${d})::timestamp)::int`;
    const ordinal = (d: string): string => {
      switch (part) {
        case 'year': return x('year', d);
        case 'quarter': return `(${x('year', d)} * 4 + ${x('quarter', d)})`;
        case 'month': return `(${x('year', d)} * 12 + ${x('month', d)})`;
        case 'day': return `(${d})::date`;
        case 'week': return `((${d})::date - extract(dow from ${d})::int)`;
        case 'hour': return `(((${d})::date - date '2000-01-01') * 24 + ${x('hour', d)})`;
        case 'minute': return `((((${d})::date - date '2000-01-01') * 24 + ${x('hour', d)}) * 60 + ${x('minute', d)})`;
      }
      throw new Error(`oracle: no DATEDIFF for ${part}`);
    };
    switch (fn) {
      case 'DATEADD': {
        const step = part === 'quarter' ? '3 month' : part === 'week' ? '7 day' : `1 ${part}`;
        const sum = `(${a[1]} + (${a[0]}) * interval '${step}')`;
        return e.args[1]!.ty === 'date' ? `(${sum})::date` : sum;
      }
      case 'DATEDIFF': {
        const diff = `(${ordinal(a[1]!)} - ${ordinal(a[0]!)})`;
        return part === 'week' ? `(${diff} / 7)` : diff;
      }
      case 'DATEPART':
        if (part === 'week') return `((extract(doy from ${a[0]})::int - 1 + extract(dow from date_trunc('year', ${a[0]}))::int) / 7 + 1)`;
        if (part === 'weekday') return `(extract(dow from ${a[0]})::int + 1)`;
        if (part === 'dayofyear') return x('doy', a[0]!);
        if (part === 'second') return `floor(extract(second from ${a[0]}))::int`;
        return x(part, a[0]!);
      case 'DATENAME':
        if (part === 'month') return `to_char(${a[0]}, 'FMMonth')`;
        if (part === 'weekday') return `to_char(${a[0]}, 'FMDay')`;
        return `(${x(part === 'dayofyear' ? 'doy' : part, a[0]!)})::text`;
      case 'DATETRUNC': {
        const t = `date_trunc('${part}', ${a[0]})`;
        return e.args[0]!.ty === 'date' ? `(${t})::date` : t;
      }
      case 'DATE_PART': return `extract(${part} from ${a[0]})::float8`;
      case 'DATE_TRUNC': return `date_trunc('${part}', (${a[0]})::timestamp)`;
    }
    throw new Error(`oracle: no rendering for ${e.name}`);
  }

  /**
   * An operand of a comparison with `other`: a date-time string literal meeting a date-typed expression is
   * converted to date, as T-SQL converts the varchar to the higher-ranked date ('2024-07-15T12:00:00'
   * equals the date 2024-07-15); a Date parameter is datetime2, which outranks date, and keeps its time.
   */
  private compared(x: Expr, other: Expr, s: Scope): string {
    if (x.k === 'lit' && x.ty === 'dt' && typeof x.v === 'string' && isDate(other)) return `${str(x.v)}::date`;
    return this.expr(x, s);
  }

  pred(p: Pred, s: Scope): string {
    switch (p.k) {
      case 'cmp': {
        if (p.l.ty === 'str' || p.r.ty === 'str') return `(${this.ciOf(p.l, s)} ${p.op} ${this.ciOf(p.r, s)})`;
        if (p.l.ty === 'bin') return `(${this.binKey(p.l, s)} ${p.op} ${this.binKey(p.r, s)})`;
        return `(${this.compared(p.l, p.r, s)} ${p.op} ${this.compared(p.r, p.l, s)})`;
      }
      case 'and': return `(${this.pred(p.l, s)} AND ${this.pred(p.r, s)})`;
      case 'or': return `(${this.pred(p.l, s)} OR ${this.pred(p.r, s)})`;
      case 'not': return `(NOT ${this.pred(p.p, s)})`;
      case 'isnull': return `(${this.expr(p.e, s)} IS ${p.neg ? 'NOT ' : ''}NULL)`;
      case 'like': return `(${p.neg ? 'NOT ' : ''}(${this.expr(p.e, s)} ~* ${str(likeToRegex(p.pattern, p.escape))}))`;
      case 'in': {
        if (p.e.ty === 'str') return `(${this.ciOf(p.e, s)} ${p.neg ? 'NOT ' : ''}IN (${p.list.map((x) => this.ciOf(x, s)).join(', ')}))`;
        if (p.e.ty === 'bin') return `(${this.binKey(p.e, s)} ${p.neg ? 'NOT ' : ''}IN (${p.list.map((x) => this.binKey(x, s)).join(', ')}))`;
        return `(${this.expr(p.e, s)} ${p.neg ? 'NOT ' : ''}IN (${p.list.map((x) => this.compared(x, p.e, s)).join(', ')}))`;
      }
      // compared as = compares (strings under the collation, bytes without trailing 0x00), NULL equal to NULL
      case 'distinct': {
        const f = (x: Expr) => (p.l.ty === 'str' || p.r.ty === 'str' ? this.ciOf(x, s) : p.l.ty === 'bin' ? this.binKey(x, s) : this.expr(x, s));
        return `(${f(p.l)} IS ${p.neg ? 'NOT ' : ''}DISTINCT FROM ${f(p.r)})`;
      }
      case 'between': {
        const f = (x: Expr) => (p.e.ty === 'str' ? this.ciOf(x, s) : p.e.ty === 'bin' ? this.binKey(x, s) : this.compared(x, p.e, s));
        return `(${f(p.e)} ${p.neg ? 'NOT ' : ''}BETWEEN ${f(p.lo)} AND ${f(p.hi)})`;
      }
      case 'insub': {
        const inner = this.select(p.q);
        const wrapped = p.e.ty === 'str' ? `SELECT ci(z.${p.q.items[0]!.alias}) FROM (${inner.sql}) z` : inner.sql;
        return `(${p.e.ty === 'str' ? this.ciOf(p.e, s) : this.expr(p.e, s)} ${p.neg ? 'NOT ' : ''}IN (${wrapped}))`;
      }
      case 'exists': return `(${p.neg ? 'NOT ' : ''}EXISTS (${this.select(p.q).sql}))`;
    }
  }
}

/** the varchar width T-SQL gives an expression made of string literals only (a CASE of them: the longest); else undefined */
function literalWidth(e: Expr): number | undefined {
  if (e.k === 'lit') return typeof e.v === 'string' ? e.v.length : undefined;
  if (e.k !== 'case') return undefined;
  const branches = [...e.whens.map((w) => w.then), ...(e.else ? [e.else] : [])].filter((b) => !(b.k === 'lit' && b.v === null));
  const widths = branches.map(literalWidth);
  return widths.length && widths.every((w) => w !== undefined) ? Math.max(...(widths as number[])) : undefined;
}

/**
 * A date and strings give a date in T-SQL (date is above varchar in precedence): the string
 * '2024-07-15T12:00:00' loses its time. `first`: ISNULL's type is its first argument's alone.
 */
function asDate(branches: Expr[], first = false): boolean {
  if (!branches.some(isDate)) return false;
  return first || branches.every((b) => isDate(b) || (b.k === 'lit' && (b.v === null || typeof b.v === 'string')));
}

/**
 * A decimal (not money) in T-SQL: a number literal with a decimal point (money values are written
 * `57000.0`), and what is computed from one (decimal outranks money and int).
 */
export function isDecimal(e: Expr): boolean {
  switch (e.k) {
    case 'lit': return e.ty === 'money' && typeof e.v === 'number';
    case 'bin': return e.ty === 'money' && (isDecimal(e.l) || isDecimal(e.r));
    case 'neg': return isDecimal(e.e);
    case 'fn': return e.ty === 'money' && e.args.some(isDecimal);
    case 'case': return e.ty === 'money' && [...e.whens.map((w) => w.then), ...(e.else ? [e.else] : [])].some(isDecimal);
    case 'agg': return e.ty === 'money' && e.arg !== undefined && isDecimal(e.arg);
    default: return false;
  }
}

/** a date-typed expression: a date, or a CASE of dates and strings */
function isDate(e: Expr): boolean {
  if (e.ty === 'date') return true;
  if (e.k === 'case') return asDate([...e.whens.map((w) => w.then), ...(e.else ? [e.else] : [])]);
  if (e.k !== 'fn') return false;
  // COALESCE of a date and strings is a date, ISNULL has its first argument's type (seed 771415: a CASE of
  // '2023-09-22T10:24:00' and COALESCE(birthdate, '1986-09-24') is a date in both dialects)
  if (e.name === 'COALESCE') return asDate(e.args);
  if (e.name === 'ISNULL') return asDate(e.args.slice(0, 1), true);
  // DATEADD and DATETRUNC return their date argument's type: of a date column, a date
  return /^(DATEADD|DATETRUNC)_/.test(e.name) && isDate(e.args[e.args.length - 1]!);
}

/** a division operand's exact type where the generator's shape fixes it (int, bigint parameter, money, decimal literal) */
function exactOperand(e: Expr): SqlT | undefined {
  if (e.k === 'lit' && typeof e.v === 'number' && (e.ty === 'money' || !Number.isInteger(e.v))) return literalDecimal(Number.isInteger(e.v) ? `${e.v}.0` : String(e.v));
  if (e.k === 'param' && typeof e.v === 'bigint') return { f: 'decimal', p: 19, s: 0 };
  if (e.ty === 'int') return { f: 'decimal', p: 10, s: 0 };
  if (e.ty === 'money' && !isDecimal(e) && onlyMoneyColumns(e)) return { f: 'decimal', p: 19, s: 4 };
  return undefined;
}

/** Dataverse's money columns (F&O's CreditLimit is a decimal(32,6), whose quotients have other scales) */
const MONEY_COLUMNS = new Set([...ACCOUNT.columns, ...CONTACT.columns].filter((c) => c.ty === 'money').map((c) => c.name));

/** every money-class column in e is a Dataverse money column (so e is money, not a decimal) */
function onlyMoneyColumns(e: Expr): boolean {
  switch (e.k) {
    case 'col': case 'ref': return e.ty !== 'money' || MONEY_COLUMNS.has(e.name);
    case 'bin': return onlyMoneyColumns(e.l) && onlyMoneyColumns(e.r);
    case 'neg': return onlyMoneyColumns(e.e);
    case 'fn': return e.args.every(onlyMoneyColumns);
    case 'case': return [...e.whens.map((w) => w.then), ...(e.else ? [e.else] : [])].every(onlyMoneyColumns);
    case 'agg': case 'win': case 'scalar': return false;
    default: return true;
  }
}

/** the scale of a decimal quotient by T-SQL's rule (undefined where an operand's precision is unknown) */
function quotientScale(l: Expr, r: Expr): number | undefined {
  const a = exactOperand(l);
  const b = exactOperand(r);
  return a && b ? decimalResult('/', a, b).s : undefined;
}

export function hasAgg(e: Expr): boolean {
  switch (e.k) {
    case 'agg': return true;
    case 'bin': return hasAgg(e.l) || hasAgg(e.r);
    case 'neg': return hasAgg(e.e);
    case 'fn': return e.args.some(hasAgg);
    case 'case': return e.whens.some((w) => hasAgg(w.then)) || (e.else ? hasAgg(e.else) : false);
    default: return false;
  }
}
