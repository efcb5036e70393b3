/**
 * The seeded statement generator: typed expressions and predicates over the demo tables, values
 * drawn from the data so predicates select something. Every construct belongs to a feature that can
 * be switched off, so a class of disagreement can be isolated.
 */
import { Prng } from '../../src/emulator/seed/prng.js';
import type { CmpOp, Expr, FromItem, Item, OutputColumn, Pred, Select, WinFn } from './ast.js';
import { hasAgg } from './render-oracle.js';
import { ACCOUNT, CONTACT, type ColumnDef, type TableDef, type Ty } from './schema.js';

export const FEATURES = [
  'where', 'orderby', 'top', 'agg', 'groupby', 'having', 'distinct', 'arith', 'intdiv', 'money', 'strfn', 'numfn', 'datefn', 'like', 'likeclass',
  'in', 'between', 'case', 'isnull', 'nullif', 'lookup', 'choice', 'subquery', 'join', 'derived', 'cte', 'union', 'window', 'params', 'postgresql',
  'guid', 'dates', 'concat', 'countdistinct', 'minmaxstr', 'avg', 'scalar', 'strcmp', 'strorder', 'blanks', 'sum', 'derivedagg', 'datecoerce', 'orderconst', 'selectlit', 'moneyagg', 'coalescetype', 'overflow', 'aggsubquery',
  // EXCEPT / INTERSECT; OFFSET … FETCH and LIMIT / OFFSET; a derived table inside a derived table; bigint parameters
  'setops', 'offset', 'nested', 'paramtypes',
  // the rest of the function table: string functions, IIF, float math, date parts, COUNT_BIG and the statistical aggregates, offset and distribution windows
  'strfn2', 'iif', 'mathfn', 'datefn2', 'aggfn2', 'countbig', 'window2', 'distwin', 'unionorder', 'setopwrap', 'lagdefault',
  // TRY_CAST / TRY_CONVERT of strings to int, LIKE … ESCAPE, STRING_AGG with a total order, CROSS / OUTER APPLY, bounded recursive CTEs
  'trycast', 'likeescape', 'stragg', 'apply', 'recursive',
  // money and int arithmetic with decimal literals (decimal results, their precision and scale)
  'decarith',
  // varbinary parameters (JavaScript Uint8Array): in the select list, IS [NOT] NULL, = and <> between two of them
  'binparam',
  // the PostgreSQL dialect's `||` of two varbinary values (KNOWN.md #39)
  'binconcatpg',
  // a IS [NOT] DISTINCT FROM b
  'distinctfrom',
  // T-SQL PIVOT over a derived table (its oracle form: the grouped select with one aggregate of a CASE per listed value)
  'pivot',
  // FISCAL_YEAR / FISCAL_PERIOD of dates (Dataverse), under the fiscal calendar the harness gives the emulator's organization
  // (harness.ts FUZZ_FISCAL): in expressions, as GROUP BY keys (FetchXML's fiscal date grouping), and FISCAL_YEAR(d) compared
  // with a year (a range of d)
  'fiscal',
  // statements of the shapes FetchXML answers whole (issue 18): plain columns, joins on any columns, semi-joins, grouped and
  // date-bucketed aggregates, so that a campaign with Remote Language=FetchXML sends FetchXML for more than a few of them
  'fetchshape',
  // not a construct: the check of each output column's reported type against T-SQL's (test/fuzz/result-types.ts)
  'coltypes',
] as const;
export type Feature = (typeof FEATURES)[number];

/** A sample of each column's values (table.column → values), taken from the oracle's rows. */
export type Pools = Map<string, unknown[]>;

export function buildPools(rows: Map<string, Record<string, unknown>[]>, rng: Prng): Pools {
  const pools: Pools = new Map();
  for (const [table, list] of rows) {
    if (!list.length) continue;
    for (const column of Object.keys(list[0]!)) {
      const seen = new Set<string>();
      const values: unknown[] = [];
      for (let i = 0; i < 400 && values.length < 40; i++) {
        const v = list[rng.below(list.length)]![column];
        if (v === null || seen.has(String(v))) continue;
        seen.add(String(v));
        values.push(v);
      }
      pools.set(`${table}.${column}`, values);
    }
  }
  return pools;
}

interface Source { alias: string; table: TableDef }

export interface Generated { q: Select; columns: OutputColumn[]; ordered: boolean; dialect: 'tsql' | 'postgresql'; features: Set<Feature> }

export class Generator {
  private rng: Prng;
  private used = new Set<Feature>();
  private params = 0;
  private aliases = 0;
  /** set while an aggregate's argument is generated */
  private inAggregate = false;
  /** set while a `fetchshape` statement is generated: expressions are bare columns and values */
  private flat = false;
  private dialect: 'tsql' | 'postgresql' = 'tsql';

  constructor(seed: number, private readonly on: Set<Feature>, private readonly pools: Pools, private readonly tables: TableDef[] = [ACCOUNT, CONTACT]) {
    this.rng = new Prng(seed);
  }

  private has(f: Feature, p = 1): boolean {
    if (!this.on.has(f) || !this.rng.chance(p)) return false;
    this.used.add(f);
    return true;
  }

  next(): Generated {
    this.used = new Set();
    this.params = 0;
    this.aliases = 0;
    this.dialect = this.has('postgresql', 0.25) ? 'postgresql' : 'tsql';
    const shapes: (() => Select)[] = [() => this.simple()];
    if (this.on.has('agg')) shapes.push(() => this.aggregate());
    if (this.on.has('groupby')) shapes.push(() => this.grouped(), () => this.grouped());
    if (this.on.has('distinct')) shapes.push(() => this.distinctSelect());
    if (this.on.has('derived') || this.on.has('cte')) shapes.push(() => this.derived());
    if (this.on.has('join') && this.tables.includes(ACCOUNT)) shapes.push(() => this.joined());
    if (this.on.has('union')) shapes.push(() => this.unioned());
    if (this.on.has('apply') && this.tables.includes(ACCOUNT)) shapes.push(() => this.applied());
    if (this.on.has('recursive') && this.tables.includes(ACCOUNT)) shapes.push(() => this.recursiveCte());
    if (this.on.has('pivot') && this.on.has('strcmp') && this.dialect === 'tsql') shapes.push(() => this.pivoted());
    if (this.on.has('fetchshape')) shapes.push(() => this.fetchable(), () => this.fetchable());
    const q = this.rng.pick(shapes)();
    const columns: OutputColumn[] = q.items.map((i) => ({ alias: i.alias, ty: i.e.ty, ci: false, approx: isApprox(i.e) }));
    return { q, columns, ordered: Boolean(q.orderBy?.length && q.orderTotal), dialect: this.dialect, features: new Set(this.used) };
  }

  /** a WHERE predicate over one table under an alias (the write mode's statements) */
  predicateFor(sources: { alias: string; table: TableDef }[], dialect: 'tsql' | 'postgresql'): { p: Pred; features: Set<Feature> } {
    this.used = new Set();
    this.params = 0;
    this.aliases = 0;
    this.dialect = dialect;
    const p = this.pred(sources, 2);
    return { p, features: new Set(this.used) };
  }

  /** a random integer in [min, max] from the generator's stream */
  int(min: number, max: number): number {
    return this.rng.int(min, max);
  }

  // ---- statement shapes ----------------------------------------------------------------------

  /**
   * A statement of a shape FetchXML answers in one request (pushdown/fetchxml-plan.ts): plain columns
   * of one table or of account joined with contact (on a lookup, or on columns of any kind: money,
   * names), a WHERE of bare columns against values (semi-joins included), ORDER BY and TOP; or a
   * GROUP BY of plain columns and date parts with COUNT / COUNT(DISTINCT) / SUM / MIN / MAX / AVG.
   */
  private fetchable(): Select {
    this.used.add('fetchshape');
    this.flat = true;
    try {
      if (this.on.has('groupby') && this.rng.chance(0.45)) return this.fetchableGroups();
      const t = this.table();
      const root: Source = { alias: 't0', table: t };
      const sources: Source[] = [root];
      const q: Select = { k: 'select', items: [], from: { k: 'table', table: t.name, alias: 't0' } };
      if (this.on.has('join') && this.tables.includes(CONTACT) && this.rng.chance(0.4)) {
        this.used.add('join');
        const other: Source = t === ACCOUNT ? { alias: 't1', table: CONTACT } : { alias: 't1', table: ACCOUNT };
        const [a, c] = t === ACCOUNT ? ['t0', 't1'] : ['t1', 't0'];
        const col = (table: string, name: string, ty: Ty): Expr => ({ k: 'col', ty, table, name });
        const ons: Pred[] = [
          { k: 'cmp', op: '=', l: col(c, 'parentcustomerid', 'guid'), r: col(a, 'accountid', 'guid') },
          { k: 'cmp', op: '=', l: col(c, 'contactid', 'guid'), r: col(a, 'primarycontactid', 'guid') },
          ...(this.on.has('money') ? [{ k: 'cmp', op: '=', l: col(c, 'creditlimit', 'money'), r: col(a, 'creditlimit', 'money') } as Pred] : []),
          ...(this.on.has('strcmp') ? [{ k: 'cmp', op: '=', l: col(c, 'firstname', 'str'), r: col(a, 'name', 'str') } as Pred, { k: 'cmp', op: '=', l: col(c, 'jobtitle', 'str'), r: col(a, 'description', 'str') } as Pred] : []),
        ];
        q.joins = [{ type: this.rng.chance(0.5) ? 'INNER' : 'LEFT', from: { k: 'table', table: other.table.name, alias: 't1' }, on: this.rng.pick(ons) }];
        sources.push(other);
      }
      const n = this.rng.int(1, 4);
      for (let i = 0; i < n; i++) q.items.push({ e: this.column(this.anyTy(), [this.rng.pick(sources)]) ?? this.keyItems(t, 't0')[0]!.e, alias: `c${i}` });
      if (this.has('where', 0.85)) q.where = this.pred(sources, 2);
      this.order(q, q.joins ? [...this.keyItems(t, 't0'), ...this.keyItems(sources[1]!.table, 't1').map((k) => ({ ...k, alias: `j${k.alias}` }))] : this.keyItems(t, 't0'));
      return q;
    } finally {
      this.flat = false;
    }
  }

  /** GROUP BY plain columns and YEAR / MONTH / DAY of a date (T-SQL) with aggregates of bare columns */
  private fetchableGroups(): Select {
    const t = this.table();
    const src: Source = { alias: 't0', table: t };
    this.used.add('groupby');
    const keys: Expr[] = [];
    // a choice's label groups locally (FetchXML groups by the value): now and then
    const columns = this.groupKeyColumns(t).filter((c) => (c.ty !== 'str' || this.rng.chance(0.3)) && (c.read !== 'formatted' || this.rng.chance(0.2)));
    const dates = t.columns.filter((c) => (c.ty === 'dt' || c.ty === 'date') && this.columnAllowed(c));
    for (let i = this.rng.int(1, 2); i > 0; i--) {
      let e: Expr | undefined;
      if (dates.length && !t.finops && this.has('fiscal', 0.2)) {
        // FISCAL_PERIOD goes as FetchXML beside FISCAL_YEAR of the same date, and stays local alone
        const date = this.rng.pick(dates);
        const d: Expr = { k: 'col', ty: date.ty, table: 't0', name: date.name };
        const year: Expr = { k: 'fn', ty: 'int', name: 'FISCAL_YEAR', args: [d] };
        if (this.rng.chance(0.6) && !keys.some((x) => JSON.stringify(x) === JSON.stringify(year))) keys.push(year);
        e = { k: 'fn', ty: 'int', name: 'FISCAL_PERIOD', args: [d] };
      } else if (dates.length && this.dialect === 'tsql' && this.on.has('datefn') && this.rng.chance(0.4)) {
        this.used.add('datefn');
        const d = this.rng.pick(dates);
        e = { k: 'fn', ty: 'int', name: this.rng.pick(['YEAR', 'MONTH', 'DAY']), args: [{ k: 'col', ty: d.ty, table: 't0', name: d.name }] };
      } else if (columns.length) {
        const c = this.rng.pick(columns);
        e = { k: 'col', ty: c.ty, table: 't0', name: c.name };
      }
      if (e && !keys.some((x) => JSON.stringify(x) === JSON.stringify(e))) keys.push(e);
    }
    const items: Item[] = keys.map((e, i) => ({ e, alias: `g${i}` }));
    for (let i = this.rng.int(1, 3); i > 0; i--) items.push({ e: this.agg([src]), alias: `a${i}` });
    const q: Select = { k: 'select', items, from: { k: 'table', table: t.name, alias: 't0' }, ...(keys.length ? { groupBy: keys } : {}) };
    if (this.has('where', 0.6)) q.where = this.pred([src], 2);
    if (keys.length && (keys.every((k) => k.ty !== 'str') || this.on.has('strorder')) && this.has('orderby', 0.5)) {
      q.orderBy = keys.map((_e, i) => ({ alias: `g${i}`, desc: this.rng.chance(0.3) }));
      q.orderTotal = true;
      this.limitRows(q, [1, 2, 5], 0.4);
    }
    return q;
  }

  private table(): TableDef {
    if (this.tables.length === 1) return this.tables[0]!;
    return this.rng.chance(0.65) ? this.tables[0]! : this.rng.pick(this.tables.slice(1));
  }

  private keyItems(t: TableDef, alias: string): Item[] {
    return t.orderKeys.map((name, i) => ({ e: { k: 'col', ty: t.columns.find((c) => c.name === name)!.ty, table: alias, name }, alias: `k${i || ''}` }));
  }

  private simple(): Select {
    const t = this.table();
    const src: Source = { alias: 't0', table: t };
    const n = this.rng.int(1, 4);
    const items: Item[] = [];
    for (let i = 0; i < n; i++) items.push({ e: this.item(this.anyTy(), [src], 2), alias: `c${i}` });
    if (this.has('window', 0.3)) items.push({ e: this.windowFn(src), alias: `w${n}` });
    if (this.has('mathfn', 0.15)) items.push({ e: this.floatExpr([src]), alias: `f${n}` });
    if (this.has('binparam', 0.1)) items.push({ e: this.binParam(), alias: `b${n}` });
    const q: Select = { k: 'select', items, from: { k: 'table', table: t.name, alias: 't0' } };
    if (this.has('where', 0.8)) q.where = this.pred([src], 2);
    this.order(q, this.keyItems(t, 't0'));
    return q;
  }

  /** ORDER BY over some items plus a total key; TOP only when the order is total */
  private order(q: Select, key: Item[]): void {
    if (!this.has('orderby', 0.5)) return;
    const keys = q.items
      .filter((i) => (i.e.ty !== 'guid' && i.e.ty !== 'bit') || this.rng.chance(0.3))
      .filter((i) => i.e.ty !== 'str' || this.has('strorder'))
      .filter((i) => (i.e.k !== 'lit' && i.e.k !== 'param') || this.has('orderconst'))
      .slice(0, 2).map((i) => ({ alias: i.alias, desc: this.rng.chance(0.3) }));
    for (const k of key) {
      if (!q.items.some((i) => i.alias === k.alias)) q.items.push(k);
      keys.push({ alias: k.alias, desc: this.rng.chance(0.3) });
    }
    q.orderTotal = key.length > 0;
    q.orderBy = keys;
    if (q.orderTotal) this.limitRows(q, [1, 3, 10, 50, 200], 0.7);
  }

  /** over a total order: TOP n (T-SQL) / LIMIT n, or OFFSET m with or without FETCH / LIMIT */
  private limitRows(q: Select, counts: number[], p: number): void {
    if (!this.flat && this.has('offset', 0.3)) {
      q.offset = this.rng.pick([0, 1, 2, 5, 20]);
      if (this.rng.chance(0.6)) q.top = this.rng.pick(counts);
      return;
    }
    if (this.has('top', p)) q.top = this.rng.pick(counts);
  }

  /**
   * A window function whose answer is determined: ROW_NUMBER only over a unique order
   * (account.accountnumber), ranks and running aggregates over numbers (ties are peers).
   */
  private windowFn(src: Source): Expr {
    const t = src.table;
    const col = (name: string): Expr => ({ k: 'col', ty: t.columns.find((c) => c.name === name)!.ty, table: src.alias, name });
    const keys = t.columns.filter((c) => c.groupable && c.ty !== 'str' && this.columnAllowed(c));
    const partition = keys.length && this.rng.chance(0.6) ? [col(this.rng.pick(keys).name)] : [];
    const numeric = t.columns.filter((c) => (c.ty === 'int' || c.ty === 'money' || c.ty === 'dt') && this.columnAllowed(c));
    const orderBy = (): { e: Expr; desc: boolean }[] => [{ e: col(this.rng.pick(numeric).name), desc: this.rng.chance(0.3) }];
    if (this.has('window2', 0.4)) return this.orderedWindow(src, partition, numeric);
    const fn = this.rng.pick(['ROW_NUMBER', 'RANK', 'DENSE_RANK', 'COUNT', 'SUM', 'MIN', 'MAX'] as const);
    if (fn === 'ROW_NUMBER') {
      if (t.name !== 'account') return { k: 'win', ty: 'int', fn: 'RANK', partition, order: orderBy() };
      return { k: 'win', ty: 'int', fn, partition, order: [{ e: col('accountnumber'), desc: this.rng.chance(0.3) }] };
    }
    if (fn === 'RANK' || fn === 'DENSE_RANK') return { k: 'win', ty: 'int', fn, partition, order: orderBy() };
    const argTy: Ty = fn === 'COUNT' ? 'int' : this.rng.pick(t.columns.some((c) => c.ty === 'money' && this.columnAllowed(c)) && (fn !== 'SUM' || this.on.has('moneyagg')) ? (['int', 'money'] as Ty[]) : (['int'] as Ty[]));
    const arg = this.column(argTy, [src]);
    if (!arg) return { k: 'win', ty: 'int', fn: 'DENSE_RANK', partition, order: orderBy() };
    const order = this.rng.chance(0.5) ? orderBy() : [];
    return { k: 'win', ty: fn === 'COUNT' ? 'int' : arg.ty, fn, arg, partition, order };
  }

  /**
   * NTILE, LAG / LEAD, FIRST_VALUE / LAST_VALUE over an order made unique by the table's key (so
   * the answer is determined); PERCENT_RANK and CUME_DIST over a plain numeric order (ties are peers).
   */
  private orderedWindow(src: Source, partition: Expr[], numeric: ColumnDef[]): Expr {
    const t = src.table;
    const col = (c: ColumnDef): Expr => ({ k: 'col', ty: c.ty, table: src.alias, name: c.name });
    const byNumber = { e: col(this.rng.pick(numeric)), desc: this.rng.chance(0.3) };
    const unique = [byNumber, ...t.orderKeys.map((name) => ({ e: col(t.columns.find((c) => c.name === name)!), desc: this.rng.chance(0.3) }))];
    const fns: WinFn[] = ['NTILE', 'LAG', 'LEAD', 'FIRST_VALUE', 'LAST_VALUE'];
    if (this.has('distwin')) fns.push('PERCENT_RANK', 'CUME_DIST');
    const fn = this.rng.pick(fns);
    if (fn === 'PERCENT_RANK' || fn === 'CUME_DIST') return { k: 'win', ty: 'float', fn, partition, order: [byNumber] };
    if (fn === 'NTILE') return { k: 'win', ty: 'int', fn, n: this.rng.int(1, 4), partition, order: unique };
    const arg = this.column(this.rng.pick(['int', 'money', 'dt'].filter((ty) => numeric.some((c) => (c.ty === 'date' ? 'dt' : c.ty) === ty)) as Ty[]), [src]);
    if (!arg) return { k: 'win', ty: 'int', fn: 'NTILE', n: 2, partition, order: unique };
    if (fn === 'FIRST_VALUE' || fn === 'LAST_VALUE') return { k: 'win', ty: arg.ty, fn, arg, partition, order: unique };
    const n = this.rng.int(1, 2);
    // a default of another type than the expression's is its own switch (the result keeps the expression's type)
    const dflt = this.has('lagdefault', 0.4) ? this.literal(arg.ty === 'date' ? 'dt' : arg.ty, arg) : undefined;
    return { k: 'win', ty: arg.ty, fn, arg, n, ...(dflt && dflt.k === 'lit' ? { dflt } : {}), partition, order: unique };
  }

  private aggregate(): Select {
    const t = this.table();
    const src: Source = { alias: 't0', table: t };
    const n = this.rng.int(1, 3);
    const items: Item[] = [];
    for (let i = 0; i < n; i++) items.push({ e: this.agg([src], true), alias: `a${i}` });
    this.used.add('agg');
    const q: Select = { k: 'select', items, from: { k: 'table', table: t.name, alias: 't0' } };
    if (this.has('where', 0.8)) q.where = this.pred([src], 2);
    return q;
  }

  private groupKeyColumns(t: TableDef): ColumnDef[] {
    // String keys group by the collation: part of the string-comparison class.
    return t.columns.filter((c) => c.groupable && this.columnAllowed(c) && (c.ty !== 'str' || this.on.has('strcmp')));
  }

  private grouped(): Select {
    const t = this.table();
    const src: Source = { alias: 't0', table: t };
    this.used.add('groupby');
    const candidates = this.groupKeyColumns(t);
    if (!candidates.length) return this.simple();
    const k = this.rng.int(1, 2);
    const keys: Expr[] = [];
    for (let i = 0; i < k; i++) {
      const c = this.rng.pick(candidates);
      const e: Expr = { k: 'col', ty: c.ty, table: 't0', name: c.name };
      if (!keys.some((x) => JSON.stringify(x) === JSON.stringify(e))) keys.push(e);
    }
    const items: Item[] = keys.map((e, i) => ({ e, alias: `g${i}` }));
    const n = this.rng.int(1, 3);
    for (let i = 0; i < n; i++) items.push({ e: this.has('stragg', 0.1) ? this.stringAgg(src) : this.agg([src], true), alias: `a${i}` });
    const q: Select = { k: 'select', items, from: { k: 'table', table: t.name, alias: 't0' }, groupBy: keys };
    if (this.has('where', 0.6)) q.where = this.pred([src], 2);
    if (this.has('having', 0.4)) {
      const a = this.agg([src]);
      q.having = { k: 'cmp', op: this.cmpOp(a.ty), l: a, r: this.literalNear(a) };
    }
    if ((keys.every((k) => k.ty !== 'str') || this.on.has('strorder')) && this.has('orderby', 0.5)) {
      // Ordered by every key: a total order over the groups (strings by their collation key).
      q.orderBy = keys.map((_e, i) => ({ alias: `g${i}`, desc: this.rng.chance(0.3) }));
      q.orderTotal = true;
      this.limitRows(q, [1, 2, 5], 0.6);
    }
    return q;
  }

  private distinctSelect(): Select {
    const t = this.table();
    const src: Source = { alias: 't0', table: t };
    this.used.add('distinct');
    const candidates = this.groupKeyColumns(t);
    if (!candidates.length) return this.simple();
    const n = this.rng.int(1, 2);
    const items: Item[] = [];
    for (let i = 0; i < n; i++) {
      const c = this.rng.pick(candidates);
      let e: Expr = { k: 'col', ty: c.ty, table: 't0', name: c.name };
      if (c.ty === 'str' && this.has('strfn', 0.3)) e = { k: 'fn', ty: 'str', name: this.rng.pick(['UPPER', 'LOWER', 'RTRIM']), args: [e] };
      items.push({ e, alias: `d${i}` });
    }
    const q: Select = { k: 'select', distinct: true, items, from: { k: 'table', table: t.name, alias: 't0' } };
    if (this.has('where', 0.6)) q.where = this.pred([src], 2);
    if ((items.every((i) => i.e.ty !== 'str') || this.on.has('strorder')) && this.has('orderby', 0.4)) {
      q.orderBy = items.map((i) => ({ alias: i.alias, desc: this.rng.chance(0.3) }));
      q.orderTotal = true;
      this.limitRows(q, [1, 3, 10], 0.5);
    }
    return q;
  }

  /** a select over a derived table or CTE; `nestedIn` set: it is itself a derived table (no CTE, its own alias) */
  private derived(nestedIn?: string): Select {
    const alias = nestedIn ? `n${nestedIn}` : 'd';
    const inner = this.on.has('derived') && nestedIn === undefined && this.has('nested', 0.3)
      ? this.derived(alias)
      : this.rng.chance(0.5) && this.on.has('groupby') ? this.grouped() : this.simple();
    delete inner.orderBy;
    delete inner.top;
    delete inner.offset;
    delete inner.orderTotal;
    // a nested select's CTE moves up to the statement (T-SQL allows WITH only there)
    const useCte = nestedIn === undefined && this.on.has('cte') && (!this.on.has('derived') || this.rng.chance(0.5));
    this.used.add(useCte ? 'cte' : 'derived');
    const from: FromItem = useCte ? { k: 'cte', name: 'w', alias } : { k: 'derived', q: inner, alias };
    const refs = inner.items.map((i) => ({ name: i.alias, ty: i.e.ty }));
    const refExpr = (r: { name: string; ty: Ty }): Expr => ({ k: 'ref', ty: r.ty, name: r.name, table: alias });
    const q: Select = { k: 'select', items: [], from };
    if (useCte) q.ctes = [{ name: 'w', q: inner }];
    if (this.has('derivedagg', 0.4)) {
      q.items = [{ e: { k: 'agg', ty: 'int', fn: 'COUNT' }, alias: 'n' }];
      const numeric = refs.filter((r) => r.ty === 'int' || r.ty === 'money');
      if (numeric.length && this.rng.chance(0.5)) {
        const r = this.rng.pick(numeric);
        q.items.push({ e: { k: 'agg', ty: r.ty, fn: this.rng.pick(['MIN', 'MAX'] as const), arg: refExpr(r) }, alias: 's' });
      }
    } else {
      q.items = refs.filter(() => this.rng.chance(0.7)).map((r, i) => ({ e: refExpr(r), alias: `o${i}` }));
      if (!q.items.length) q.items = [{ e: refExpr(refs[0]!), alias: 'o0' }];
    }
    const r = this.rng.pick(refs.filter((x) => x.ty !== 'float').length ? refs.filter((x) => x.ty !== 'float') : refs);
    // LIKE keeps trailing blanks significant: over a grouped string (whose spelling is open) it has no single answer
    if (r.ty !== 'float' && this.has('where', 0.6)) q.where = this.simplePredOn(refExpr(r), r.ty === 'str' ? undefined : r.ty, [], Boolean(inner.groupBy) || inner.from.k !== 'table');
    return q;
  }

  private joined(): Select {
    this.used.add('join');
    const a: Source = { alias: 'a', table: ACCOUNT };
    const c: Source = { alias: 'c', table: CONTACT };
    const type = this.rng.chance(0.5) ? 'INNER' : 'LEFT';
    const on: Pred = this.rng.chance(0.5)
      ? { k: 'cmp', op: '=', l: { k: 'col', ty: 'guid', table: 'c', name: 'parentcustomerid' }, r: { k: 'col', ty: 'guid', table: 'a', name: 'accountid' } }
      : { k: 'cmp', op: '=', l: { k: 'col', ty: 'guid', table: 'c', name: 'contactid' }, r: { k: 'col', ty: 'guid', table: 'a', name: 'primarycontactid' } };
    const items: Item[] = [];
    const n = this.rng.int(1, 3);
    for (let i = 0; i < n; i++) items.push({ e: this.item(this.anyTy(), [this.rng.pick([a, c])], 1), alias: `c${i}` });
    if (this.has('mathfn', 0.1)) items.push({ e: this.floatExpr([this.rng.pick([a, c])]), alias: `f${n}` });
    const q: Select = { k: 'select', items, from: { k: 'table', table: 'account', alias: 'a' }, joins: [{ type, from: { k: 'table', table: 'contact', alias: 'c' }, on }] };
    if (this.has('where', 0.7)) q.where = this.pred([a, c], 1);
    if (this.has('orderby', 0.4)) {
      q.items.push({ e: { k: 'col', ty: 'guid', table: 'a', name: 'accountid' }, alias: 'ka' }, { e: { k: 'col', ty: 'guid', table: 'c', name: 'contactid' }, alias: 'kc' });
      q.orderBy = [{ alias: 'ka', desc: false }, { alias: 'kc', desc: false }];
      q.orderTotal = true;
      this.limitRows(q, [1, 10, 100], 0.6);
    }
    return q;
  }

  /**
   * CROSS / OUTER APPLY of a select over contact that refers to the outer account: an aggregate
   * (one row for every account), the contacts themselves, or the first k of them in a total order.
   */
  private applied(): Select {
    this.used.add('apply');
    const a: Source = { alias: 'a', table: ACCOUNT };
    const c: Source = { alias: 'c', table: CONTACT };
    const link: Pred = this.rng.chance(0.7)
      ? { k: 'cmp', op: '=', l: { k: 'col', ty: 'guid', table: 'c', name: 'parentcustomerid' }, r: { k: 'col', ty: 'guid', table: 'a', name: 'accountid' } }
      : { k: 'cmp', op: '=', l: { k: 'col', ty: 'guid', table: 'c', name: 'contactid' }, r: { k: 'col', ty: 'guid', table: 'a', name: 'primarycontactid' } };
    const inner: Select = { k: 'select', items: [], from: { k: 'table', table: 'contact', alias: 'c' }, where: this.rng.chance(0.5) ? { k: 'and', l: link, r: this.pred([c], 1) } : link };
    const r = this.rng.next();
    if (r < 0.35) {
      inner.items = [{ e: { k: 'agg', ty: 'int', fn: 'COUNT' }, alias: 'x0' }, { e: this.agg([c]), alias: 'x1' }];
    } else {
      inner.items = [{ e: this.item(this.anyTy(), [c], 1), alias: 'x0' }, { e: { k: 'col', ty: 'guid', table: 'c', name: 'contactid' }, alias: 'xk' }];
      if (r < 0.7) {
        inner.orderBy = [{ alias: 'xk', desc: this.rng.chance(0.3) }];
        inner.orderTotal = true;
        inner.top = this.rng.pick([1, 2, 3]);
      }
    }
    const x = (name: string, ty: Ty): Expr => ({ k: 'ref', ty, name, table: 'x' });
    const items: Item[] = [{ e: this.item(this.anyTy(), [a], 1), alias: 'c0' }, ...inner.items.map((i) => ({ e: x(i.alias, i.e.ty), alias: `o${i.alias}` }))];
    const q: Select = { k: 'select', items, from: { k: 'table', table: 'account', alias: 'a' }, joins: [{ type: this.rng.chance(0.5) ? 'CROSS APPLY' : 'OUTER APPLY', from: { k: 'derived', q: inner, alias: 'x' } }] };
    if (this.has('where', 0.5)) q.where = this.pred([a], 1);
    if (this.has('orderby', 0.4)) {
      q.items.push({ e: { k: 'col', ty: 'guid', table: 'a', name: 'accountid' }, alias: 'ka' });
      q.orderBy = [{ alias: 'ka', desc: false }];
      // an aggregate gives one row per account; otherwise the contact's key completes the order
      if (inner.items.some((i) => i.alias === 'xk')) q.orderBy.push({ alias: 'oxk', desc: this.rng.chance(0.3) });
      q.orderTotal = true;
      this.limitRows(q, [1, 10, 100], 0.6);
    }
    return q;
  }

  /**
   * A recursive CTE walking the account hierarchy (parentaccountid) down from some accounts, bounded
   * by its level; the anchor and the step have the same column types, as T-SQL demands.
   */
  private recursiveCte(): Select {
    this.used.add('recursive');
    this.used.add('cte');
    const depth = this.rng.int(1, 4);
    const anchorSrc: Source = { alias: 't0', table: ACCOUNT };
    const col = (table: string, name: string, ty: Ty): Expr => ({ k: 'col', ty, table, name });
    const num = this.rng.pick(['numberofemployees', 'revenue'] as const);
    const numTy: Ty = num === 'revenue' ? 'money' : 'int';
    const anchor: Select = {
      k: 'select',
      items: [{ e: col('t0', 'accountid', 'guid'), alias: 'id' }, { e: col('t0', 'name', 'str'), alias: 'nm' }, { e: col('t0', num, numTy), alias: 'v' }, { e: { k: 'lit', ty: 'int', v: 0 }, alias: 'lvl' }],
      from: { k: 'table', table: 'account', alias: 't0' },
    };
    if (this.rng.chance(0.7)) anchor.where = this.pred([anchorSrc], 1);
    const step: Select = {
      k: 'select',
      items: [{ e: col('t1', 'accountid', 'guid'), alias: 'id' }, { e: col('t1', 'name', 'str'), alias: 'nm' }, { e: col('t1', num, numTy), alias: 'v' }, { e: { k: 'bin', ty: 'int', op: '+', l: { k: 'ref', ty: 'int', name: 'lvl', table: 'r1' }, r: { k: 'lit', ty: 'int', v: 1 } }, alias: 'lvl' }],
      from: { k: 'cte', name: 'h', alias: 'r1' },
      joins: [{ type: 'INNER', from: { k: 'table', table: 'account', alias: 't1' }, on: { k: 'cmp', op: '=', l: col('t1', 'parentaccountid', 'guid'), r: { k: 'ref', ty: 'guid', name: 'id', table: 'r1' } } }],
      where: { k: 'cmp', op: '<', l: { k: 'ref', ty: 'int', name: 'lvl', table: 'r1' }, r: { k: 'lit', ty: 'int', v: depth } },
    };
    anchor.union = [{ all: true, q: step }];
    const ref = (name: string, ty: Ty): Expr => ({ k: 'ref', ty, name, table: 'd' });
    const q: Select = { k: 'select', ctes: [{ name: 'h', q: anchor, recursive: true }], items: [], from: { k: 'cte', name: 'h', alias: 'd' } };
    const r = this.rng.next();
    if (r < 0.4) {
      q.items = [{ e: ref('lvl', 'int'), alias: 'g0' }, { e: { k: 'agg', ty: 'int', fn: 'COUNT' }, alias: 'a0' }, { e: { k: 'agg', ty: numTy, fn: this.rng.pick(['MIN', 'MAX', 'SUM'] as const), arg: ref('v', numTy) }, alias: 'a1' }];
      q.groupBy = [ref('lvl', 'int')];
      if (this.has('orderby', 0.5)) {
        q.orderBy = [{ alias: 'g0', desc: this.rng.chance(0.3) }];
        q.orderTotal = true;
      }
    } else {
      q.items = [{ e: ref('id', 'guid'), alias: 'o0' }, { e: ref('nm', 'str'), alias: 'o1' }, { e: ref('lvl', 'int'), alias: 'o2' }, { e: ref('v', numTy), alias: 'o3' }];
      if (this.has('where', 0.5)) q.where = this.simplePredOn(ref('v', numTy), numTy);
      if (this.has('orderby', 0.4)) {
        // an account reached by two paths appears once per path: the level completes the order
        q.orderBy = [{ alias: 'o0', desc: false }, { alias: 'o2', desc: false }];
        q.orderTotal = true;
        this.limitRows(q, [1, 5, 20], 0.6);
      }
    }
    return q;
  }

  /**
   * SELECT … FROM (SELECT g…, c, v FROM t WHERE …) s PIVOT (fn(v) FOR c IN ([x], [y])) p: c a string
   * column (matched under the collation), the listed names from its values (identifiers, one per
   * spelling), the groups by the other columns of s.
   */
  private pivoted(): Select {
    const t = this.table();
    const src: Source = { alias: 't0', table: t };
    const pivotable = t.columns
      .filter((c) => c.ty === 'str' && c.groupable && this.columnAllowed(c))
      .map((c) => ({ c, names: pivotNames(this.pools.get(`${t.name}.${c.name}`) ?? []) }))
      .filter((x) => x.names.length > 0);
    const value = this.column(this.rng.pick(['int', 'money'] as const), [src]);
    if (!pivotable.length || !value) return this.simple();
    this.used.add('pivot');
    const { c, names } = this.rng.pick(pivotable);
    const values = names.filter(() => this.rng.chance(0.6)).slice(0, 3);
    if (!values.length) values.push(names[0]!);
    const keys = this.groupKeyColumns(t).filter((k) => k.name !== c.name);
    const groups: ColumnDef[] = [];
    for (let i = this.rng.int(0, 2); i > 0 && keys.length; i--) {
      const k = this.rng.pick(keys);
      if (!groups.includes(k)) groups.push(k);
    }
    const inner: Select = {
      k: 'select',
      items: [...groups.map((g, i) => ({ e: { k: 'col', ty: g.ty, table: 't0', name: g.name } as Expr, alias: `g${i}` })), { e: { k: 'col', ty: 'str', table: 't0', name: c.name }, alias: 'pc' }, { e: value, alias: 'pv' }],
      from: { k: 'table', table: t.name, alias: 't0' },
    };
    if (this.has('where', 0.5)) inner.where = this.pred([src], 1);
    const fn = this.rng.pick(['SUM', 'COUNT', 'MIN', 'MAX', ...(this.on.has('avg') ? (['AVG'] as const) : [])] as const);
    const ref = (name: string, ty: Ty): Expr => ({ k: 'ref', ty, name, table: 's' });
    const groupRefs = groups.map((g, i) => ref(`g${i}`, g.ty));
    const equivalent: Select = {
      k: 'select',
      items: [
        ...groupRefs.map((e, i) => ({ e, alias: `g${i}` })),
        ...values.map((v) => ({ e: { k: 'agg', ty: fn === 'COUNT' ? 'int' : value.ty, fn, arg: { k: 'case', ty: value.ty, whens: [{ when: { k: 'cmp', op: '=', l: ref('pc', 'str'), r: { k: 'lit', ty: 'str', v } }, then: ref('pv', value.ty) }] } } as Expr, alias: v })),
      ],
      from: { k: 'derived', q: inner, alias: 's' },
      ...(groupRefs.length ? { groupBy: groupRefs } : {}),
    };
    const outputs = equivalent.items.filter(() => this.rng.chance(0.7));
    return {
      k: 'select',
      items: (outputs.length ? outputs : equivalent.items).map((i, n) => ({ e: { k: 'ref', ty: i.e.ty, name: i.alias, table: 'p' }, alias: `o${n}` })),
      from: { k: 'derived', q: equivalent, alias: 'p', pivot: { src: inner, fn, value: 'pv', column: 'pc', values } },
    };
  }

  private unioned(): Select {
    this.used.add('union');
    const t = this.table();
    const tys: Ty[] = [];
    const n = this.rng.int(1, 2);
    for (let i = 0; i < n; i++) tys.push(this.rng.pick(['int', 'str', 'str', 'money'] as Ty[]));
    const arm = (): Select => {
      const src: Source = { alias: 't0', table: t };
      const q: Select = { k: 'select', items: tys.map((ty, i) => ({ e: this.item(ty, [src], 1), alias: `u${i}` })), from: { k: 'table', table: t.name, alias: 't0' } };
      if (this.rng.chance(0.8)) q.where = this.pred([src], 1);
      return q;
    };
    const q = arm();
    const op = this.has('setops', 0.4) ? this.rng.pick(['EXCEPT', 'INTERSECT'] as const) : undefined;
    const all = !op && this.rng.chance(0.5);
    q.union = [{ all, q: arm(), ...(op ? { op } : {}) }];
    // a distinct result ordered by every column is in a total order (strings by the collation)
    if (!all && (tys.every((ty) => ty !== 'str') || this.on.has('strorder')) && this.has('unionorder', 0.4)) {
      q.orderBy = tys.map((_ty, i) => ({ alias: `u${i}`, desc: this.rng.chance(0.3) }));
      q.orderTotal = true;
      this.limitRows(q, [1, 3, 10], 0.5);
      // T-SQL's TOP over a set operation goes through a derived table (render-sql.ts); OFFSET 0 … FETCH says the same without one
      if (op && this.dialect === 'tsql' && q.top !== undefined && q.offset === undefined && !this.has('setopwrap')) q.offset = 0;
    }
    return q;
  }

  /** a select-list expression; a string literal in it only with `selectlit` */
  private item(ty: Ty, sources: Source[], depth: number): Expr {
    let e = this.expr(ty, sources, depth);
    for (let tries = 0; tries < 8 && hasStringLiteral(e) && !this.on.has('selectlit'); tries++) e = this.expr(ty, sources, depth);
    if (hasStringLiteral(e) && !this.on.has('selectlit')) e = this.column(ty, sources) ?? e;
    if (hasStringLiteral(e)) this.used.add('selectlit');
    return e;
  }

  // ---- expressions ---------------------------------------------------------------------------

  private anyTy(): Ty {
    const tys: Ty[] = ['int', 'int', 'str', 'str', 'str'];
    if (this.on.has('money')) tys.push('money', 'money');
    if (this.on.has('dates')) tys.push('dt');
    if (this.on.has('guid')) tys.push('guid');
    tys.push('bit');
    return this.rng.pick(tys);
  }

  private columnAllowed(c: ColumnDef): boolean {
    if (c.name.endsWith('name') && c.read === 'formatted' && !this.on.has(c.field.startsWith('_') ? 'lookup' : 'choice')) return false;
    if (c.read === 'lookupType' && !this.on.has('lookup')) return false;
    if (c.ty === 'guid' && c.name !== 'accountid' && c.name !== 'contactid' && !this.on.has('lookup')) return false;
    if (c.ty === 'money' && !this.on.has('money')) return false;
    if ((c.ty === 'dt' || c.ty === 'date') && !this.on.has('dates')) return false;
    if (c.ty === 'guid' && !this.on.has('guid')) return false;
    return true;
  }

  private column(ty: Ty, sources: Source[]): Expr | undefined {
    const options: Expr[] = [];
    for (const s of sources) {
      for (const c of s.table.columns) {
        const t = c.ty === 'date' ? 'dt' : c.ty;
        if (t === ty && this.columnAllowed(c)) options.push({ k: 'col', ty: c.ty, table: s.alias, name: c.name });
      }
    }
    if (!options.length) return undefined;
    const e = this.rng.pick(options);
    if (e.k === 'col') {
      const def = sources.find((s) => s.alias === e.table)!.table.columns.find((c) => c.name === e.name)!;
      if (def.read === 'formatted') this.used.add(def.field.startsWith('_') ? 'lookup' : 'choice');
      if (def.ty === 'guid' && def.name !== sources.find((s) => s.alias === e.table)!.table.key) this.used.add('lookup');
    }
    return e;
  }

  /** a value of the column's pool (or a nearby literal) */
  private poolValue(e: Expr): string | number | null {
    if (e.k === 'col') {
      const t = e.table === 'a' ? 'account' : e.table === 'c' ? 'contact' : undefined;
      const tables = t ? [t] : this.tables.map((x) => x.name);
      for (const table of tables) {
        const pool = this.pools.get(`${table}.${e.name}`);
        if (pool?.length) return this.variant(this.rng.pick(pool), e.ty);
      }
    }
    return this.randomLiteral(e.ty);
  }

  private variant(v: unknown, ty: Ty): string | number | null {
    if (ty === 'str') {
      let s = String(v);
      const r = this.rng.next();
      if (r < 0.2) s = s.toUpperCase();
      else if (r < 0.35) s = s.toLowerCase();
      else if (r < 0.45 && this.has('blanks')) s = `${s} `;
      return s;
    }
    if (ty === 'guid') return this.rng.chance(0.2) ? String(v).toUpperCase() : String(v);
    if (ty === 'dt' || ty === 'date') {
      const s = String(v).replace(' ', 'T');
      return this.rng.chance(0.5) ? s.slice(0, 10) : s.slice(0, 19);
    }
    if (ty === 'money' || ty === 'int') return Number(v);
    return v as number;
  }

  private randomLiteral(ty: Ty): string | number | null {
    switch (ty) {
      case 'int': return this.rng.pick([0, 1, 2, 3, 5, 10, 100, 1000, 5000, -1]);
      case 'money': return this.rng.pick([0, 1000, 100000, 2500000, 1234.5, 99.99]);
      case 'str': return this.rng.pick(['Contoso', 'abc', 'ABC', 'x', '', 'a', 'Seattle', 'Dan', 'e', ...(this.has('blanks', 0.2) ? ['ABC ', 'x '] : [])]);
      case 'bit': return this.rng.pick([0, 1]);
      case 'dt': case 'date': return this.rng.pick(['2023-06-01', '2024-01-01', '2024-07-15T12:00:00', '1980-01-01']);
      case 'guid': return '00000000-0000-0000-0000-000000000001';
      case 'float': return this.rng.pick([0, 0.5, 1, 2.5, 10]);
      case 'bin': throw new Error('generator: a binary value is a parameter (binParam), never a literal');
    }
  }

  private literal(ty: Ty, like?: Expr): Expr {
    const v = like ? this.poolValue(like) : this.randomLiteral(ty);
    if (this.has('params', 0.15)) {
      this.params += 1;
      // an integer parameter may come as a JavaScript bigint (a bigint parameter)
      const value = ty === 'int' && typeof v === 'number' && this.has('paramtypes', 0.3) ? BigInt(v) : paramValue(ty, v);
      // a whole JavaScript number is an int parameter, whatever the column it is compared with (SUM of it is an int sum)
      const sent: Ty = ty === 'money' && typeof v === 'number' && Number.isInteger(v) ? 'int' : ty;
      return { k: 'param', ty: sent, name: `p${this.params}`, v: value };
    }
    return { k: 'lit', ty, v };
  }

  private literalNear(e: Expr): Expr {
    if (e.k === 'agg') {
      const ty = e.ty;
      if (ty === 'str' || ty === 'dt' || ty === 'guid') return this.literal(ty);
      return { k: 'lit', ty, v: this.rng.pick(ty === 'money' ? [0, 10000, 1000000, 50000000] : [0, 1, 2, 5, 10, 50, 100, 5000]) };
    }
    return this.literal(e.ty === 'date' ? 'dt' : e.ty, e);
  }

  expr(ty: Ty, sources: Source[], depth: number): Expr {
    if (depth <= 0 || this.flat || this.rng.chance(0.45)) {
      const c = this.column(ty, sources);
      if (c && (this.flat || this.rng.chance(0.85))) return c;
      return this.literal(ty, c);
    }
    const d = depth - 1;
    const options: (() => Expr | undefined)[] = [];
    const int = () => this.expr('int', sources, d);
    const str = () => this.expr('str', sources, d);
    // A money operand of arithmetic is never a bare literal: `95000 / 3` is int division in T-SQL.
    const money = (): Expr => {
      const e = this.expr('money', sources, d);
      return e.k === 'lit' || e.k === 'param' ? (this.column('money', sources) ?? e) : e;
    };
    const nonzero = (): Expr => ({ k: 'lit', ty: 'int', v: this.rng.pick([1, 2, 3, 4, 7, -2]) });
    if (ty === 'int') {
      if (this.on.has('arith')) {
        options.push(() => (this.used.add('arith'), { k: 'bin', ty, op: this.rng.pick(['+', '-'] as const), l: int(), r: this.rng.chance(0.5) ? int() : nonzero() }));
        // a small factor: an int product past 2^31 is an overflow error in T-SQL (the 'overflow' feature tries that)
        options.push(() => (this.used.add('arith'), { k: 'bin', ty, op: '*', l: int(), r: this.has('overflow', 0.2) ? int() : nonzero() }));
      }
      if (this.on.has('intdiv')) options.push(() => (this.used.add('intdiv'), { k: 'bin', ty, op: this.rng.pick(['/', '%'] as const), l: int(), r: nonzero() }));
      if (this.on.has('strfn')) options.push(() => (this.used.add('strfn'), { k: 'fn', ty, name: 'LEN', args: [str()] }));
      if (this.on.has('strfn') && this.dialect === 'tsql') options.push(() => (this.used.add('strfn'), { k: 'fn', ty, name: 'CHARINDEX', args: [{ k: 'lit', ty: 'str', v: this.rng.pick(['a', 'N', 'co', ' ', 'O']) }, str()] }));
      if (this.on.has('numfn')) options.push(() => (this.used.add('numfn'), { k: 'fn', ty, name: this.rng.pick(['ABS', 'SIGN']), args: [int()] }));
      if (this.on.has('fiscal') && this.on.has('dates') && !sources.some((s) => s.table.finops)) {
        options.push(() => (this.used.add('fiscal'), { k: 'fn', ty, name: this.rng.pick(['FISCAL_YEAR', 'FISCAL_PERIOD']), args: [this.expr('dt', sources, 0)] }));
      }
      if (this.on.has('datefn') && this.on.has('dates') && this.dialect === 'tsql') {
        options.push(() => (this.used.add('datefn'), { k: 'fn', ty, name: this.rng.pick(['YEAR', 'MONTH', 'DAY']), args: [this.expr('dt', sources, 0)] }));
        options.push(() => (this.used.add('datefn'), { k: 'fn', ty, name: 'DATEDIFF_DAY', args: [this.expr('dt', sources, 0), this.expr('dt', sources, 0)] }));
      }
      if (this.on.has('datefn2') && this.on.has('dates') && this.dialect === 'tsql') {
        const parts = ['year', 'quarter', 'month', 'dayofyear', 'day', 'week', 'weekday', 'hour', 'minute', 'second'];
        options.push(() => {
          this.used.add('datefn2');
          const d = this.expr('dt', sources, 0);
          // DATEPART(hour, …) of a date is an error in T-SQL
          return { k: 'fn', ty, name: `DATEPART_${this.rng.pick(d.ty === 'date' ? parts.slice(0, 7) : parts).toUpperCase()}`, args: [d] };
        });
        options.push(() => (this.used.add('datefn2'), { k: 'fn', ty, name: `DATEDIFF_${this.rng.pick(['year', 'quarter', 'month', 'day', 'week', 'hour', 'minute']).toUpperCase()}`, args: [this.expr('dt', sources, 0), this.expr('dt', sources, 0)] }));
      }
      if (this.on.has('strfn2') && this.dialect === 'tsql') {
        options.push(() => (this.used.add('strfn2'), { k: 'fn', ty, name: 'CHARINDEX', args: [{ k: 'lit', ty: 'str', v: this.rng.pick(['a', 'N', 'co', ' ', 'O']) }, str(), { k: 'lit', ty: 'int', v: this.rng.int(-1, 6) }] }));
      }
      if (this.on.has('strfn2') && this.dialect === 'postgresql') {
        options.push(() => (this.used.add('strfn2'), { k: 'fn', ty, name: 'STRPOS', args: [str(), { k: 'lit', ty: 'str', v: this.rng.pick(['a', 'N', 'co', ' ', 'O']) }] }));
      }
      if (this.on.has('trycast') && this.dialect === 'tsql') {
        options.push(() => {
          this.used.add('trycast');
          const account = sources.find((x) => x.table === ACCOUNT);
          const r = this.rng.next();
          // digits of the account number ('ACC-000123'), a string that may or may not be a number, or any string
          const arg: Expr = account && r < 0.4
            ? { k: 'fn', ty: 'str', name: 'RIGHT', args: [{ k: 'col', ty: 'str', table: account.alias, name: 'accountnumber' }, { k: 'lit', ty: 'int', v: this.rng.int(1, 8) }] }
            : r < 0.75 ? { k: 'lit', ty: 'str', v: this.rng.pick(['12', ' 12 ', '1.5', '', '  ', '1e3', '+7', '-3', 'abc', '2147483648', '-2147483648', '007', '1 2']) }
              : str();
          return { k: 'fn', ty, name: this.rng.chance(0.5) ? 'TRY_CAST_INT' : 'TRY_CONVERT_INT', args: [arg] };
        });
      }
      // POWER of an int is an int: a small base keeps it inside int
      if (this.on.has('mathfn')) options.push(() => (this.used.add('mathfn'), { k: 'fn', ty, name: 'POWER', args: [{ k: 'bin', ty, op: '%', l: int(), r: { k: 'lit', ty: 'int', v: 100 } }, { k: 'lit', ty: 'int', v: this.rng.int(0, 3) }] }));
    }
    // F&O's decimals are decimal(32,16), not money: their arithmetic is not generated
    if (ty === 'money' && this.on.has('money') && !sources.some((s) => s.table.finops)) {
      if (this.on.has('arith')) {
        options.push(() => (this.used.add('arith'), { k: 'bin', ty, op: this.rng.pick(['+', '-'] as const), l: money(), r: money() }));
        options.push(() => (this.used.add('arith'), { k: 'bin', ty, op: '*', l: money(), r: nonzero() }));
      }
      if (this.on.has('intdiv')) options.push(() => (this.used.add('intdiv'), { k: 'bin', ty, op: '/', l: money(), r: nonzero() }));
      if (this.on.has('decarith')) {
        // money or an int with a decimal literal: a decimal by T-SQL's precedence, its precision and scale by the operator's rule
        const decimal = (): Expr => ({ k: 'lit', ty: 'money', v: this.rng.pick([1.5, 0.25, 2.75, 100.125, 0.5]) });
        options.push(() => (this.used.add('decarith'), { k: 'bin', ty, op: this.rng.pick(['+', '-', '*'] as const), l: money(), r: decimal() }));
        options.push(() => (this.used.add('decarith'), { k: 'bin', ty, op: '*', l: this.expr('int', sources, d), r: decimal() }));
        options.push(() => (this.used.add('decarith'), { k: 'bin', ty, op: '/', l: this.rng.chance(0.5) ? money() : this.expr('int', sources, d), r: decimal() }));
      }
      if (this.on.has('numfn')) {
        options.push(() => (this.used.add('numfn'), { k: 'fn', ty, name: this.rng.pick(['ABS', 'CEILING', 'FLOOR']), args: [money()] }));
        options.push(() => (this.used.add('numfn'), { k: 'fn', ty, name: 'ROUND', args: [money(), { k: 'lit', ty: 'int', v: this.rng.int(0, 2) }] }));
      }
    }
    if (ty === 'str' && this.on.has('strfn')) {
      options.push(() => (this.used.add('strfn'), { k: 'fn', ty, name: this.rng.pick(['UPPER', 'LOWER', 'LTRIM', 'RTRIM']), args: [str()] }));
      options.push(() => (this.used.add('strfn'), { k: 'fn', ty, name: this.rng.pick(['LEFT', 'RIGHT']), args: [str(), { k: 'lit', ty: 'int', v: this.rng.int(0, 5) }] }));
      options.push(() => (this.used.add('strfn'), { k: 'fn', ty, name: 'SUBSTRING', args: [str(), { k: 'lit', ty: 'int', v: this.rng.int(1, 4) }, { k: 'lit', ty: 'int', v: this.rng.int(0, 5) }] }));
      if (this.dialect === 'tsql') options.push(() => (this.used.add('strfn'), { k: 'fn', ty, name: 'REPLACE', args: [str(), { k: 'lit', ty: 'str', v: this.rng.pick(['a', 'O', 'co', ' ']) }, { k: 'lit', ty: 'str', v: this.rng.pick(['*', '', 'XY']) }] }));
    }
    if (ty === 'str' && this.on.has('strfn2')) {
      const small = () => ({ k: 'lit', ty: 'int', v: this.rng.int(0, 3) }) as Expr;
      options.push(() => (this.used.add('strfn2'), { k: 'fn', ty, name: this.rng.pick(['TRIM', 'REVERSE']), args: [str()] }));
      options.push(() => (this.used.add('strfn2'), { k: 'fn', ty, name: 'REPLICATE', args: [str(), small()] }));
      options.push(() => (this.used.add('strfn2'), { k: 'fn', ty, name: 'CONCAT_WS', args: [{ k: 'lit', ty: 'str', v: this.rng.pick(['-', ', ', '']) }, str(), str()] }));
      if (this.dialect === 'tsql') {
        options.push(() => (this.used.add('strfn2'), { k: 'fn', ty, name: 'STUFF', args: [str(), { k: 'lit', ty: 'int', v: this.rng.int(0, 5) }, small(), { k: 'lit', ty: 'str', v: this.rng.pick(['*', '', 'XY']) }] }));
        options.push(() => (this.used.add('strfn2'), { k: 'bin', ty, op: '+', l: str(), r: { k: 'fn', ty, name: 'SPACE', args: [small()] } }));
      }
    }
    if (ty === 'str' && this.on.has('datefn2') && this.on.has('dates') && this.dialect === 'tsql') {
      options.push(() => (this.used.add('datefn2'), { k: 'fn', ty, name: `DATENAME_${this.rng.pick(['MONTH', 'WEEKDAY', 'YEAR', 'DAY'])}`, args: [this.expr('dt', sources, 0)] }));
    }
    if (ty === 'dt' && this.on.has('datefn2') && this.on.has('dates')) {
      options.push(() => {
        this.used.add('datefn2');
        const d = this.expr('dt', sources, 0);
        // a date has no hours: DATEADD(hour, …) of a date is an error in T-SQL
        const parts = d.ty === 'date' ? ['YEAR', 'QUARTER', 'MONTH', 'WEEK', 'DAY'] : ['YEAR', 'QUARTER', 'MONTH', 'WEEK', 'DAY', 'HOUR', 'MINUTE'];
        if (this.dialect === 'postgresql') return { k: 'fn', ty: 'dt', name: `DATE_TRUNC_${this.rng.pick(['YEAR', 'QUARTER', 'MONTH', 'WEEK', 'DAY', 'HOUR'])}`, args: [d] };
        const r = this.rng.next();
        if (r < 0.4) return { k: 'fn', ty: d.ty === 'date' ? 'date' : 'dt', name: `DATEADD_${this.rng.pick(parts)}`, args: [{ k: 'lit', ty: 'int', v: this.rng.int(-40, 40) }, d] };
        if (r < 0.8) return { k: 'fn', ty: d.ty === 'date' ? 'date' : 'dt', name: `DATETRUNC_${this.rng.pick(parts.filter((p) => p !== 'WEEK'))}`, args: [d] };
        return { k: 'fn', ty: 'date', name: 'EOMONTH', args: [d] };
      });
    }
    if (ty === 'str' && this.on.has('concat')) {
      options.push(() => (this.used.add('concat'), { k: 'bin', ty, op: '+', l: str(), r: str() }));
      options.push(() => (this.used.add('concat'), { k: 'fn', ty, name: 'CONCAT', args: [str(), str()] }));
    }
    if (ty === 'dt' && this.on.has('datefn') && this.on.has('dates') && this.dialect === 'tsql') {
      options.push(() => (this.used.add('datefn'), { k: 'fn', ty: 'dt', name: 'DATEADD_DAY', args: [{ k: 'lit', ty: 'int', v: this.rng.int(-40, 40) }, this.expr('dt', sources, 0)] }));
    }
    // ISNULL/COALESCE of a date column and a date written as a string: T-SQL converts the string
    // ISNULL/COALESCE of money and a decimal literal: the result type (and so the scale) by T-SQL's rules
    if (this.on.has('isnull') && ty !== 'bit' && ty !== 'guid' && (ty !== 'dt' || this.on.has('datecoerce')) && (ty !== 'money' || this.on.has('coalescetype'))) {
      options.push(() => {
        this.used.add('isnull');
        const a = this.expr(ty, sources, d);
        return { k: 'fn', ty, name: this.dialect === 'tsql' && this.rng.chance(0.5) ? 'ISNULL' : 'COALESCE', args: [a, this.literal(ty, a)] };
      });
    }
    if (this.on.has('nullif') && (ty === 'int' || ty === 'str')) {
      options.push(() => {
        this.used.add('nullif');
        const a = this.expr(ty, sources, d);
        return { k: 'fn', ty, name: 'NULLIF', args: [a, this.literal(ty, a)] };
      });
    }
    if (this.on.has('case') && ty !== 'guid') {
      options.push(() => {
        this.used.add('case');
        const whens = [{ when: this.pred(sources, 1), then: this.expr(ty, sources, d) }];
        const otherwise = this.rng.chance(0.7) ? this.expr(ty, sources, d) : undefined;
        if (otherwise && this.dialect === 'tsql' && this.has('iif', 0.3)) return { k: 'case', ty, whens, else: otherwise, iif: true };
        return { k: 'case', ty, whens, else: otherwise };
      });
    }
    const chosen = options.length ? this.rng.pick(options)() : undefined;
    if (chosen) return chosen;
    return this.column(ty, sources) ?? this.literal(ty);
  }

  /** an approximate number: SQRT, EXP, LOG, LOG10, PI over int expressions kept in their domain */
  private floatExpr(sources: Source[]): Expr {
    this.used.add('mathfn');
    const int = () => this.expr('int', sources, 1);
    const positive = (): Expr => ({ k: 'bin', ty: 'int', op: '+', l: { k: 'fn', ty: 'int', name: 'ABS', args: [int()] }, r: { k: 'lit', ty: 'int', v: 1 } });
    const r = this.rng.next();
    if (r < 0.25) return { k: 'fn', ty: 'float', name: 'SQRT', args: [{ k: 'fn', ty: 'int', name: 'ABS', args: [int()] }] };
    if (r < 0.45) return { k: 'fn', ty: 'float', name: 'EXP', args: [{ k: 'bin', ty: 'int', op: '%', l: int(), r: { k: 'lit', ty: 'int', v: 5 } }] };
    if (r < 0.7) return { k: 'fn', ty: 'float', name: 'LOG', args: this.dialect === 'tsql' && this.rng.chance(0.4) ? [positive(), { k: 'lit', ty: 'int', v: this.rng.pick([2, 10]) }] : [positive()] };
    if (r < 0.85 && this.dialect === 'tsql') return { k: 'fn', ty: 'float', name: 'LOG10', args: [positive()] };
    return { k: 'bin', ty: 'float', op: '*', l: { k: 'fn', ty: 'float', name: 'PI', args: [] }, r: int() };
  }

  /**
   * STRING_AGG of a short string (LEFT 4: far below T-SQL's 8,000-byte limit of a non-max result,
   * which the oracle does not model) in a total order: maybe a number or date, then the table's key.
   */
  private stringAgg(src: Source): Expr {
    const within: { e: Expr; desc: boolean }[] = [];
    // PostgreSQL orders NULLs last ascending, T-SQL first: a nullable first key only in T-SQL
    const first = this.dialect === 'tsql' && this.rng.chance(0.6) ? this.column(this.rng.pick(['int', 'money', 'dt'] as Ty[]), [src]) : undefined;
    if (first) within.push({ e: first, desc: this.rng.chance(0.3) });
    for (const name of src.table.orderKeys) within.push({ e: { k: 'col', ty: src.table.columns.find((c) => c.name === name)!.ty, table: src.alias, name }, desc: this.rng.chance(0.3) });
    this.inAggregate = true;
    try {
      const arg: Expr = { k: 'fn', ty: 'str', name: 'LEFT', args: [this.expr('str', [src], 1), { k: 'lit', ty: 'int', v: 4 }] };
      return { k: 'agg', ty: 'str', fn: 'STRING_AGG', arg, sep: this.rng.pick([', ', '|', '']), within };
    } finally {
      this.inAggregate = false;
    }
  }

  /** `statistical`: STDEV / VAR and friends may be chosen (a float: only as an output column) */
  private agg(sources: Source[], statistical = false): Expr {
    this.inAggregate = true;
    try {
      return this.aggregateCall(sources, statistical);
    } finally {
      this.inAggregate = false;
    }
  }

  private aggregateCall(sources: Source[], statistical: boolean): Expr {
    if (!this.flat && this.has('aggfn2', 0.15)) {
      if (statistical && this.rng.chance(0.6)) {
        const fn = this.rng.pick(['STDEV', 'STDEVP', 'VAR', 'VARP'] as const);
        return { k: 'agg', ty: 'float', fn, arg: this.expr('int', sources, 1) };
      }
      if (this.dialect === 'tsql' && this.has('countbig')) return { k: 'agg', ty: 'int', fn: 'COUNT_BIG', ...(this.rng.chance(0.5) ? { arg: this.expr(this.rng.pick(['int', 'str'] as Ty[]), sources, 1) } : {}) };
    }
    const fns: ('COUNT' | 'SUM' | 'AVG' | 'MIN' | 'MAX')[] = ['COUNT', 'COUNT', 'MIN', 'MAX'];
    if (this.on.has('sum')) fns.push('SUM');
    if (this.on.has('avg')) fns.push('AVG');
    const fn = this.rng.pick(fns);
    if (fn === 'COUNT') {
      if (this.rng.chance(0.4)) return { k: 'agg', ty: 'int', fn };
      const arg = this.expr(this.rng.pick(['int', 'str'] as Ty[]), sources, 1);
      const distinct = this.has('countdistinct', 0.3);
      return { k: 'agg', ty: 'int', fn, arg, distinct };
    }
    if (fn === 'SUM' || fn === 'AVG') {
      this.used.add(fn === 'AVG' ? 'avg' : 'sum');
      // SUM/AVG of money must be exact (money is a fixed-point type)
      const ty: Ty = this.on.has('money') && this.rng.chance(0.4) && this.has('moneyagg') ? 'money' : 'int';
      return { k: 'agg', ty, fn, arg: this.expr(ty, sources, 1) };
    }
    const tys: Ty[] = ['int'];
    if (this.on.has('money')) tys.push('money');
    if (this.on.has('minmaxstr')) tys.push('str');
    if (this.on.has('dates')) tys.push('dt');
    const ty = this.rng.pick(tys);
    if (ty === 'str') this.used.add('minmaxstr');
    return { k: 'agg', ty, fn, arg: this.expr(ty, sources, 1) };
  }

  // ---- predicates ----------------------------------------------------------------------------

  private cmpOp(ty: Ty): CmpOp {
    if (ty === 'guid' || ty === 'bit') return this.rng.pick(['=', '<>'] as const);
    return this.rng.pick(['=', '<>', '<', '<=', '>', '>='] as const);
  }

  pred(sources: Source[], depth: number): Pred {
    if (depth > 0 && this.rng.chance(0.35)) {
      const r = this.rng.next();
      if (r < 0.4) return { k: 'and', l: this.pred(sources, depth - 1), r: this.pred(sources, depth - 1) };
      if (r < 0.8) return { k: 'or', l: this.pred(sources, depth - 1), r: this.pred(sources, depth - 1) };
      return { k: 'not', p: this.pred(sources, depth - 1) };
    }
    // a subquery inside an aggregate's argument is its own switch
    if (this.on.has('subquery') && (!this.inAggregate || this.has('aggsubquery')) && this.rng.chance(0.08)) return this.subqueryPred(sources);
    if (!this.flat && this.has('binparam', 0.03)) return this.binPred();
    if (this.on.has('fiscal') && !sources.some((s) => s.table.finops) && this.has('fiscal', 0.06)) {
      const d = this.column('dt', sources);
      if (d) return this.fiscalYearPred(d);
    }
    const ty = this.anyTy();
    const e = this.expr(ty, sources, depth);
    return this.simplePredOn(e, ty, sources);
  }

  /** FISCAL_YEAR(d) compared with a year near the data's (sent as a range of d), or between two */
  private fiscalYearPred(d: Expr): Pred {
    const e: Expr = { k: 'fn', ty: 'int', name: 'FISCAL_YEAR', args: [d] };
    const year = (): Expr => ({ k: 'lit', ty: 'int', v: this.rng.int(2019, 2027) });
    if (this.rng.chance(0.2)) return { k: 'between', e, lo: year(), hi: year(), neg: this.rng.chance(0.3) };
    return this.rng.chance(0.2) ? { k: 'cmp', op: this.cmpOp('int'), l: year(), r: e } : { k: 'cmp', op: this.cmpOp('int'), l: e, r: year() };
  }

  simplePredOn(e: Expr, tyIn?: Ty, sources: Source[] = [], noLike = false): Pred {
    const ty = tyIn ?? e.ty;
    // a derived table's varbinary column
    if (ty === 'bin') return this.binPred(e);
    const r = this.rng.next();
    if (noLike && ty === 'str') return r < 0.5 ? { k: 'isnull', e, neg: this.rng.chance(0.5) } : { k: 'cmp', op: this.cmpOp(ty), l: e, r: this.literal(ty, e) };
    // string comparisons (=, <, IN, BETWEEN) are one switchable class: trailing blanks and case meet there
    if (ty === 'str' && !this.has('strcmp')) {
      if (this.on.has('like') && r < 0.6) return { k: 'like', e, ...this.likePattern(e), neg: this.rng.chance(0.3) };
      return { k: 'isnull', e, neg: this.rng.chance(0.5) };
    }
    if (ty === 'str' && r < 0.2 && this.has('like')) return { k: 'like', e, ...this.likePattern(e), neg: this.rng.chance(0.3) };
    if (r < 0.3 && this.has('in')) {
      const list: Expr[] = [];
      const n = this.rng.int(1, 4);
      for (let i = 0; i < n; i++) list.push(this.rng.chance(0.08) ? { k: 'lit', ty, v: null } : this.literal(ty, e));
      return { k: 'in', e, list, neg: this.rng.chance(0.3) };
    }
    if (r < 0.4 && ty !== 'guid' && ty !== 'bit' && this.has('between')) {
      const a = this.literal(ty, e);
      const b = this.literal(ty, e);
      return { k: 'between', e, lo: a, hi: b, neg: this.rng.chance(0.3) };
    }
    if (r < 0.5) return { k: 'isnull', e, neg: this.rng.chance(0.5) };
    const other = sources.length && this.rng.chance(0.2) ? this.expr(ty, sources, 0) : this.literal(ty, e);
    if (!this.flat && this.has('distinctfrom', 0.25)) return { k: 'distinct', l: e, r: this.rng.chance(0.2) ? { k: 'lit', ty, v: null } : other, neg: this.rng.chance(0.5) };
    return { k: 'cmp', op: this.cmpOp(ty), l: e, r: other };
  }

  /**
   * A varbinary value: a parameter, or two appended (`+`). The values include ones equal but for
   * trailing 0x00 bytes (T-SQL's comparison does not count those) and an empty one.
   */
  private binParam(): Expr {
    if (this.rng.chance(0.15) && (this.dialect === 'tsql' || this.has('binconcatpg'))) return { k: 'bin', ty: 'bin', op: '+', l: this.binParam(), r: this.binParam() };
    this.params += 1;
    const bytes = this.rng.pick([[0x01, 0x02], [0x01, 0x02, 0x00], [0x01, 0x03], [0xff], [0xff, 0x00, 0x00], [0x00], [], [0x41, 0x61], [0x61]]);
    return { k: 'param', ty: 'bin', name: `p${this.params}`, v: Uint8Array.from(bytes) };
  }

  /** a predicate over varbinary values (`e`, else a parameter): IS [NOT] NULL, a comparison, IN, BETWEEN */
  private binPred(e: Expr = this.binParam()): Pred {
    const r = this.rng.next();
    if (r < 0.2) return { k: 'isnull', e, neg: this.rng.chance(0.5) };
    if (r < 0.35) return { k: 'in', e, list: [this.binParam(), this.binParam()], neg: this.rng.chance(0.3) };
    if (r < 0.45) return { k: 'between', e, lo: this.binParam(), hi: this.binParam(), neg: this.rng.chance(0.3) };
    if (this.has('distinctfrom', 0.2)) return { k: 'distinct', l: e, r: this.binParam(), neg: this.rng.chance(0.5) };
    return { k: 'cmp', op: this.cmpOp('bin'), l: e, r: this.binParam() };
  }

  /** a pattern from a value of the column; with `likeescape`, its wildcard characters written after ESCAPE '!' */
  private likePattern(e: Expr): { pattern: string; escape?: string } {
    const base = String(this.poolValue(e) ?? 'abc');
    let out = '';
    const classes = this.on.has('likeclass') && this.dialect === 'tsql';
    const escape = this.has('likeescape', 0.3) ? '!' : undefined;
    for (const ch of base.slice(0, 12)) {
      const r = this.rng.next();
      if (r < 0.1) out += '_';
      else if (r < 0.18) { out += '%'; }
      else if (r < 0.22 && classes && /[a-z]/i.test(ch)) {
        this.used.add('likeclass');
        out += this.rng.chance(0.5) ? `[${ch}x]` : `[^q]`;
      } else if (escape && (ch === '%' || ch === '_' || ch === '[' || ch === escape)) out += `${escape}${ch}`;
      else if (ch === '%' || ch === '_' || ch === '[') out += classes ? `[${ch}]` : '_';
      else out += ch;
    }
    if (base.length > 12 || this.rng.chance(0.5)) out += '%';
    if (this.rng.chance(0.2)) out = `%${out}`;
    // an escaped wildcard where the data has none: the row must not match
    if (escape && this.rng.chance(0.2)) out = `${out}${escape}${this.rng.pick(['%', '_'])}`;
    return escape ? { pattern: out, escape } : { pattern: out };
  }

  private subqueryPred(sources: Source[]): Pred {
    this.used.add('subquery');
    const outer = sources[0]!;
    const alias = `s${++this.aliases}`;
    if (outer.table === ACCOUNT && this.rng.chance(0.6)) {
      const inner: Source = { alias, table: CONTACT };
      const sub: Select = { k: 'select', items: [{ e: { k: 'col', ty: 'guid', table: alias, name: 'parentcustomerid' }, alias: 'x' }], from: { k: 'table', table: 'contact', alias }, where: this.pred([inner], 1) };
      if (this.rng.chance(0.5)) return { k: 'insub', e: { k: 'col', ty: 'guid', table: outer.alias, name: 'accountid' }, q: sub, neg: this.rng.chance(0.3) };
      sub.where = { k: 'and', l: { k: 'cmp', op: '=', l: { k: 'col', ty: 'guid', table: alias, name: 'parentcustomerid' }, r: { k: 'col', ty: 'guid', table: outer.alias, name: 'accountid' } }, r: sub.where! };
      return { k: 'exists', q: sub, neg: this.rng.chance(0.3) };
    }
    // a scalar aggregate of the same table
    const inner: Source = { alias, table: outer.table };
    const ty: Ty = this.rng.pick(['int', 'money'].filter((t) => t === 'int' || this.on.has('money')) as Ty[]);
    const fn = this.rng.pick(this.on.has('avg') ? (['MIN', 'MAX', 'AVG'] as const) : (['MIN', 'MAX'] as const));
    if (fn === 'AVG') this.used.add('avg');
    const agg: Expr = { k: 'agg', ty, fn, arg: this.column(ty, [inner]) ?? { k: 'lit', ty: 'int', v: 1 } };
    const sub: Select = { k: 'select', items: [{ e: agg, alias: 'x' }], from: { k: 'table', table: outer.table.name, alias }, where: this.pred([inner], 0) };
    this.used.add('scalar');
    return { k: 'cmp', op: this.cmpOp(ty), l: this.column(ty, [outer]) ?? { k: 'lit', ty, v: 1 }, r: { k: 'scalar', ty, q: sub } };
  }
}

/** words that are keywords in T-SQL or PostgreSQL: not usable as a PIVOT's unquoted column names */
const KEYWORDS = new Set(['all', 'and', 'any', 'as', 'case', 'check', 'default', 'else', 'end', 'from', 'group', 'in', 'is', 'key', 'left', 'not', 'null', 'or', 'order', 'primary', 'right', 'select', 'table', 'then', 'user', 'when', 'where', 'open', 'close', 'current', 'public', 'full', 'cross', 'inner', 'outer', 'function']);

/** a pivoted column's values usable as column names: letters only, one per spelling under the collation */
function pivotNames(pool: unknown[]): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const v of pool) {
    if (typeof v !== 'string' || !/^[A-Za-z]{2,20}$/.test(v) || KEYWORDS.has(v.toLowerCase()) || seen.has(v.toLowerCase())) continue;
    seen.add(v.toLowerCase());
    out.push(v);
  }
  return out.sort();
}

function hasStringLiteral(e: Expr): boolean {
  switch (e.k) {
    case 'lit': case 'param': return e.v !== null && (e.ty === 'str' || e.ty === 'guid' || e.ty === 'dt' || e.ty === 'date');
    case 'bin': return hasStringLiteral(e.l) || hasStringLiteral(e.r);
    case 'neg': return hasStringLiteral(e.e);
    case 'fn': return e.args.some(hasStringLiteral);
    case 'case': return e.whens.some((w) => hasStringLiteral(w.then)) || (e.else ? hasStringLiteral(e.else) : false);
    default: return false;
  }
}

/** a parameter's JavaScript value: bit as boolean, dates as Date, the rest as they are */
function paramValue(ty: Ty, v: string | number | null): string | number | boolean | Date | null {
  if (v === null) return null;
  if (ty === 'bit') return v === 1;
  if (ty === 'dt' || ty === 'date') return new Date(String(v).length === 10 ? `${v}T00:00:00Z` : `${v}Z`);
  return v;
}

/** money division and AVG(money): T-SQL rounds to 4 decimals (the rounding rule is unverified), compared to 4 decimals */
function isApprox(e: Expr): boolean {
  if (e.ty !== 'money') return false;
  if (e.k === 'bin' && e.op === '/') return true;
  if (e.k === 'agg' && e.fn === 'AVG') return true;
  switch (e.k) {
    case 'bin': return isApprox(e.l) || isApprox(e.r);
    case 'fn': return e.args.some(isApprox);
    case 'case': return e.whens.some((w) => isApprox(w.then)) || (e.else ? isApprox(e.else) : false);
    default: return false;
  }
}

export { hasAgg };
