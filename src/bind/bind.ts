/**
 * AST + catalog → bound logical query (plan/logical.ts). Resolves every table to a catalog table
 * (logical or entity-set name, case-insensitive) and every column to its source, rejects unknown
 * names with a "did you mean", unknown functions and misplaced aggregates. Nothing is sent for a
 * statement that fails here.
 *
 * `bindQuery(parseSql('SELECT nme FROM account').statement.query, {catalog})` throws
 * `DYNASQL_ERR_UNKNOWN_COLUMN: Unknown column 'nme'. Did you mean 'name'?`.
 */
import { indexCatalog, type CatalogIndex } from '../catalog/index.js';
import type { Catalog, Column, SqlType, Table } from '../catalog/types.js';
import { DynasqlError, closestName } from '../errors/index.js';
import type * as P from '../plan/index.js';
import { checkGrouping } from './grouping.js';
import { checkKnownErrors, checkSetOperationOrder } from './known-errors.js';
import { FISCAL_FUNCTIONS, FiscalSettingsNeeded, checkFiscal, containsAggregate, datePart, encodeFiscal, functionDef, knownFunctionNames, outputName } from '../plan/index.js';
import type * as S from '../sql/index.js';
import {
  BOOLEAN, DATETIMEOFFSET, NULL, NVARCHAR_MAX, arithmeticType, commonType, comparisonType, concatenationType, formatType, isApproximate, isBinary, isBoolean, isDateTime, isMoney, isNullType,
  isString, literalType, namedType, negationType, plainInteger, pipesConcatenationType, valueType, type TypeDialect,
} from '../types/index.js';
import { STATEMENT_TIME } from '../util/index.js';
import { Scope, type Source } from './scope.js';

export interface BindOptions {
  catalog: Catalog;
  /** tables answered locally (sys_tables, INFORMATION_SCHEMA.COLUMNS …), matched before the catalog */
  systemTables?: readonly Table[];
  /** `SELECT *` includes the virtual name/label columns (Include Formatted Values) */
  includeFormattedValues?: boolean;
  /** whose typing rules apply (default T-SQL): AVG of an int is an int in T-SQL, a numeric in PostgreSQL */
  dialect?: TypeDialect;
  /** the statement's parameter values, by reference: a parameter has the type of its value */
  params?: ReadonlyMap<string | number, unknown>;
  /**
   * the organization's fiscal settings for FISCAL_YEAR / FISCAL_PERIOD (plan/fiscal.ts): 'unread' when the
   * connection reads them on first use (the binder then throws FiscalSettingsNeeded), undefined where
   * there are none (Finance & Operations, writes)
   */
  fiscal?: P.FiscalSettings | 'unread';
}

export function bindQuery(query: S.Query, options: BindOptions): P.BoundQuery {
  return new Binder(options).bindRoot(query);
}

interface CteInfo { name: string; columns: string[]; types: SqlType[] }

interface BoundBlock { query: P.Query; names: string[]; types: SqlType[] }

class Binder {
  private readonly index: CatalogIndex;
  /** system tables by lower-case name (`sys_tables`, `information_schema.columns`) */
  private readonly systemTables: ReadonlyMap<string, Table>;
  private readonly scans: P.Scan[] = [];
  /** scan id → SQL names of the columns read (lower-case) */
  private readonly needed = new Map<number, Set<string>>();
  private readonly dialect: TypeDialect;
  /** derived tables already bound (a PIVOT's source): bound once, so their scans are read once */
  private readonly prebound = new Map<S.Query, BoundBlock>();

  constructor(private readonly options: BindOptions) {
    this.index = indexCatalog(options.catalog);
    this.systemTables = systemTablesByName(options.systemTables ?? NO_TABLES);
    this.dialect = options.dialect ?? 'tsql';
  }

  bindRoot(query: S.Query): P.BoundQuery {
    const { query: bound, names, types } = this.query(query, undefined, []);
    const scans = this.scans.map((scan) => {
      const wanted = this.needed.get(scan.id) ?? new Set<string>();
      // the wanted columns in table order, found through the names rather than by a pass over every column
      const positions = columnPositions(scan.table.columns);
      const found: number[] = [];
      for (const name of wanted) for (const i of positions.get(name) ?? []) insertInOrder(found, i);
      return { id: scan.id, table: scan.table, alias: scan.alias, source: scan.source, columns: found.map((i) => scan.table.columns[i]!) };
    });
    return { query: bound, scans, outputNames: names, outputTypes: types };
  }

  private query(query: S.Query, parent: Scope | undefined, ctes: CteInfo[]): BoundBlock {
    const visible = [...ctes];
    const withs: P.Cte[] = [];
    for (const cte of query.with) {
      // T-SQL has no RECURSIVE keyword: a CTE that reads itself is recursive; PostgreSQL needs WITH RECURSIVE
      const recursive = (this.dialect === 'tsql' || cte.recursive === true) && readsTable(cte.query, cte.name);
      const bound = recursive ? this.recursiveCte(cte, parent, visible) : this.query(cte.query, parent, visible);
      if (cte.columns && cte.columns.length !== bound.names.length) {
        throw new DynasqlError('DYNASQL_ERR_SYNTAX', `The CTE '${cte.name}' names ${cte.columns.length} columns but its query returns ${bound.names.length}`);
      }
      const columns = cte.columns ?? bound.names;
      const maxRecursion = cte.maxRecursion ?? (this.dialect === 'tsql' ? TSQL_MAX_RECURSION : 0);
      withs.push(recursive ? { name: cte.name, columns: cte.columns, query: bound.query, recursive: { maxRecursion } } : { name: cte.name, columns: cte.columns, query: bound.query });
      visible.unshift({ name: cte.name, columns, types: bound.types });
    }
    if (query.kind === 'setop') {
      const left = this.query(query.left, parent, visible);
      const right = this.query(query.right, parent, visible);
      if (left.names.length !== right.names.length) {
        throw new DynasqlError('DYNASQL_ERR_TYPE', `${query.op} needs the same number of columns on both sides (${left.names.length} and ${right.names.length})`);
      }
      const types = left.types.map((t, i) => commonType([t, right.types[i]!], this.dialect));
      const scope = new Scope(parent);
      scope.add({ kind: 'named', alias: '', columns: left.names, types });
      scope.outputs = left.names.map((name, index) => ({ name, index, type: types[index]! }));
      const bound: P.SetOperation = {
        kind: 'setop', with: withs, op: query.op, left: left.query, right: right.query,
        orderBy: query.orderBy.map((o) => this.orderItem(o, scope, visible, true)),
        limit: query.limit ? this.expr(query.limit, scope, visible) : undefined,
        offset: query.offset ? this.expr(query.offset, scope, visible) : undefined,
        outputTypes: types,
      };
      checkSetOperationOrder(bound);
      return { query: bound, names: left.names, types };
    }
    return this.select(query, parent, visible, withs);
  }

  /**
   * A recursive CTE: `anchor UNION ALL recursive part`, where only the recursive part reads the CTE,
   * once. The anchor gives the columns and their types; the recursive part must return the same
   * types (T-SQL's rule: `SELECT 1 AS n UNION ALL SELECT n + 1 FROM r` is an int throughout) and may
   * not group, aggregate, take DISTINCT or limit its rows.
   */
  private recursiveCte(cte: S.Cte, parent: Scope | undefined, visible: CteInfo[]): BoundBlock {
    const q = cte.query;
    const unionAll = q.kind === 'setop' && (q.op === 'UNION ALL' || (this.dialect === 'postgresql' && q.op === 'UNION'));
    if (!unionAll || q.with.length > 0 || q.orderBy.length > 0 || q.limit || q.offset) {
      throw new DynasqlError('DYNASQL_ERR_SYNTAX', `The recursive CTE '${cte.name}' must be an anchor query, UNION ALL, and a query that reads '${cte.name}'`);
    }
    if (readsTable(q.left, cte.name)) {
      throw new DynasqlError('DYNASQL_ERR_UNSUPPORTED_SQL', `Unsupported SQL: the recursive CTE '${cte.name}' reads itself in more than one part of its UNION ALL (one anchor part first, one recursive part last)`);
    }
    const member = q.right;
    if (member.kind !== 'select') throw new DynasqlError('DYNASQL_ERR_UNSUPPORTED_SQL', `Unsupported SQL: a set operation in the recursive part of '${cte.name}'`);
    if (tableReferences(member, cte.name) !== 1) {
      throw new DynasqlError('DYNASQL_ERR_SYNTAX', `The recursive part of '${cte.name}' must read '${cte.name}' exactly once, in its FROM clause`);
    }
    const anchor = this.query(q.left, parent, visible);
    const columns = cte.columns ?? anchor.names;
    if (columns.length !== anchor.names.length) {
      throw new DynasqlError('DYNASQL_ERR_SYNTAX', `The CTE '${cte.name}' names ${columns.length} columns but its query returns ${anchor.names.length}`);
    }
    const recursive = this.query(member, parent, [{ name: cte.name, columns, types: anchor.types }, ...visible]);
    if (recursive.names.length !== anchor.names.length) {
      throw new DynasqlError('DYNASQL_ERR_TYPE', `UNION ALL needs the same number of columns on both sides (${anchor.names.length} and ${recursive.names.length})`);
    }
    anchor.types.forEach((type, i) => {
      if (formatType(type) !== formatType(recursive.types[i]!) && !isNullType(recursive.types[i]!)) {
        throw new DynasqlError('DYNASQL_ERR_TYPE', `Types don't match between the anchor and the recursive part in column '${columns[i]}' of the recursive CTE '${cte.name}' (${formatType(type)} and ${formatType(recursive.types[i]!)}): CAST one to the other`);
      }
    });
    const bound = recursive.query as P.Select;
    if (bound.distinct || bound.groupBy.length > 0 || bound.having || bound.limit || bound.offset || bound.columns.some((c) => containsAggregate(c.expr))) {
      throw new DynasqlError('DYNASQL_ERR_SYNTAX', `The recursive part of '${cte.name}' may not use DISTINCT, GROUP BY, HAVING, aggregates, TOP or OFFSET`);
    }
    const query: P.SetOperation = { kind: 'setop', with: [], op: q.op, left: anchor.query, right: bound, orderBy: [], outputTypes: anchor.types };
    return { query, names: anchor.names, types: anchor.types };
  }

  private select(select: S.Select, parent: Scope | undefined, ctes: CteInfo[], withs: P.Cte[]): BoundBlock {
    const scope = new Scope(parent);
    const from = select.from ? this.from(select.from, scope, ctes) : undefined;
    const columns: P.SelectItem[] = [];
    const names: string[] = [];
    const types: SqlType[] = [];
    const outputs: Scope['outputs'] = [];
    for (const item of select.columns) {
      if (item.expr.kind === 'star') {
        const expansion = this.expandStar(item.expr.table, scope);
        names.push(...expansion.map((c) => c.name));
        types.push(...expansion.map((c) => c.sqlType));
        columns.push({ expr: item.expr.table ? { kind: 'star', qualifier: item.expr.table, sqlType: NULL, expansion } : { kind: 'star', sqlType: NULL, expansion } });
        continue;
      }
      const expr = this.expr(item.expr, scope, ctes);
      // rows are keyed by name: a repeated name gets a suffix (`SELECT name, name` → name, name_2)
      const wanted = item.alias ?? outputName(expr, columns.length);
      const name = uniqueName(wanted, names);
      outputs.push({ name: wanted, index: columns.length, type: expr.sqlType, sameAs: sameColumnKey(expr), column: expr.kind === 'column' ? expr : undefined });
      names.push(name);
      types.push(expr.sqlType);
      columns.push(item.alias || name !== wanted ? { expr, alias: name } : { expr });
    }
    const where = select.where ? this.predicate(select.where, scope, ctes, 'WHERE') : undefined;
    if (where && containsAggregate(where)) throw new DynasqlError('DYNASQL_ERR_UNSUPPORTED_SQL', 'An aggregate may not appear in WHERE; use HAVING');
    scope.outputs = outputs;
    const bound: P.Select = {
      kind: 'select', with: withs, distinct: select.distinct, columns,
      from,
      where,
      groupBy: select.groupBy.map((g) => this.groupKey(g, select.columns, columns, scope, ctes)),
      having: select.having ? this.predicate(select.having, scope, ctes, 'HAVING') : undefined,
      orderBy: select.orderBy.map((o) => this.orderItem(o, scope, ctes, false)),
      limit: select.limit ? this.expr(select.limit, scope, ctes) : undefined,
      offset: select.offset ? this.expr(select.offset, scope, ctes) : undefined,
      outputTypes: types,
    };
    checkGrouping(bound);
    checkKnownErrors(bound, this.dialect);
    return { query: bound, names, types };
  }

  /**
   * A GROUP BY item. PostgreSQL also groups by an output column: by its position (`GROUP BY 1`) or,
   * when no input column has the name, by its alias (`SELECT date_trunc('day', createdon) AS day …
   * GROUP BY day`); either stands for the select item's expression. In T-SQL both are plain
   * expressions (a constant, an unknown column).
   */
  private groupKey(item: S.Expr, items: S.SelectItem[], bound: P.SelectItem[], scope: Scope, ctes: CteInfo[]): P.Expr {
    if (this.dialect !== 'postgresql') return this.expr(item, scope, ctes);
    if (item.kind === 'literal' && item.type === 'number' && /^\d+$/.test(String(item.value))) {
      const position = Number(item.value);
      const selected = bound[position - 1];
      if (!selected || items.slice(0, position).some((c) => c.expr.kind === 'star')) {
        throw new DynasqlError('DYNASQL_ERR_SYNTAX', `GROUP BY position ${position} is not in the select list (${bound.length} columns, no *)`);
      }
      return selected.expr;
    }
    if (item.kind === 'column' && !item.table) {
      try {
        return this.expr(item, scope, ctes);
      } catch (error) {
        if (!DynasqlError.is(error, 'DYNASQL_ERR_UNKNOWN_COLUMN')) throw error;
        const lower = item.name.toLowerCase();
        const matches = items.flatMap((c, i) => (c.alias?.toLowerCase() === lower ? [bound[i]!.expr] : []));
        if (matches.length > 1) throw new DynasqlError('DYNASQL_ERR_AMBIGUOUS_COLUMN', `GROUP BY ${item.name} is ambiguous: the select list has ${matches.length} columns named ${item.name}`);
        if (matches.length === 0) throw error;
        return matches[0]!;
      }
    }
    return this.expr(item, scope, ctes);
  }

  /** a condition (WHERE, HAVING, ON, WHEN): it must be a predicate, not a value */
  private predicate(expr: S.Expr, scope: Scope, ctes: CteInfo[], clause: string): P.Expr {
    const bound = this.expr(expr, scope, ctes);
    if (!isBoolean(bound.sqlType) && !isNullType(bound.sqlType) && !(this.dialect === 'postgresql' && bound.sqlType.name === 'bit')) {
      throw new DynasqlError('DYNASQL_ERR_TYPE', `${clause} needs a condition (such as a = b), not a value of type ${formatType(bound.sqlType)}`);
    }
    return bound;
  }

  /**
   * ORDER BY: a bare name is first an output column of the select list (its alias or column name),
   * in T-SQL and PostgreSQL alike: `SELECT numberofemployees AS name … ORDER BY name` sorts by the
   * alias. Two different output columns with that name make it ambiguous. Anything else (a qualified
   * name, an expression) binds to the FROM clause.
   */
  private orderItem(item: S.OrderItem, scope: Scope, ctes: CteInfo[], aliasesOnly: boolean): P.OrderItem {
    let expr: P.Expr | undefined;
    const e = item.expr;
    if (e.kind === 'column' && !e.table) {
      const lower = e.name.toLowerCase();
      const matches = scope.outputs.filter((o) => o.name.toLowerCase() === lower);
      const distinct = new Set(matches.map((m) => m.sameAs ?? `#${m.index}`));
      if (distinct.size > 1) throw new DynasqlError('DYNASQL_ERR_AMBIGUOUS_COLUMN', `ORDER BY ${e.name} is ambiguous: the select list has ${matches.length} columns named ${e.name}`);
      const match = matches[0];
      // an output column that is a column sorts by that column (push-down can send it); others by the output name
      if (match) expr = match.column ?? { kind: 'column', name: match.name, sqlType: match.type };
      else if (aliasesOnly) expr = undefined;
    }
    expr ??= this.expr(e, scope, ctes);
    return { expr, descending: item.descending, nulls: item.nulls };
  }

  /** the columns a `*` stands for, as references (rendered one by one, so output positions and types agree) */
  private expandStar(qualifier: string | undefined, scope: Scope): P.ColumnRef[] {
    const sources = qualifier ? [scope.find(qualifier)] : scope.sources;
    if (qualifier && !sources[0]) throw this.unknownTable(qualifier, scope.sources.map((s) => s.alias));
    if (sources.length === 0) throw new DynasqlError('DYNASQL_ERR_SYNTAX', 'SELECT * needs a FROM clause');
    const refs: P.ColumnRef[] = [];
    for (const source of sources) {
      if (source!.kind === 'named') {
        source!.columns.forEach((name, i) => refs.push({ kind: 'column', name, qualifier: source!.alias, sqlType: source!.types[i]! }));
        continue;
      }
      for (const column of source!.visibleColumns) {
        this.need(source!.scan, column);
        refs.push({ kind: 'column', name: column.name, qualifier: source!.alias, scanId: source!.scan.id, column, sqlType: column.sqlType });
      }
    }
    return refs;
  }

  private need(scan: P.Scan, column: Column): void {
    let set = this.needed.get(scan.id);
    if (!set) this.needed.set(scan.id, (set = new Set()));
    set.add(column.name.toLowerCase());
  }

  private from(item: S.FromItem, scope: Scope, ctes: CteInfo[]): P.FromRef {
    switch (item.kind) {
      case 'table': {
        const alias = item.alias ?? item.name;
        if (scope.find(alias)) throw new DynasqlError('DYNASQL_ERR_SYNTAX', `The name '${alias}' is used twice in FROM; give one an alias`);
        const cte = !item.schema ? ctes.find((c) => c.name.toLowerCase() === item.name.toLowerCase()) : undefined;
        if (cte) {
          scope.add({ kind: 'named', alias, columns: cte.columns, types: cte.types });
          return { kind: 'cteRef', name: cte.name, alias };
        }
        const table = this.table(item);
        const scan: P.Scan = {
          id: this.scans.length + 1, table, alias,
          source: this.systemTables.get(table.name.toLowerCase()) === table ? 'local' : 'remote',
          columns: [],
        };
        this.scans.push(scan);
        const visibleColumns = starColumns(table.columns, this.options.includeFormattedValues === true);
        scope.add({ kind: 'scan', alias, scan, visibleColumns });
        return { kind: 'scan', scanId: scan.id, alias };
      }
      case 'pivot': return this.pivot(item, scope, ctes);
      case 'derived': {
        if (scope.find(item.alias)) throw new DynasqlError('DYNASQL_ERR_SYNTAX', `The name '${item.alias}' is used twice in FROM`);
        const bound = this.prebound.get(item.query) ?? this.query(item.query, scope.parent, ctes);
        scope.add({ kind: 'named', alias: item.alias, columns: bound.names, types: bound.types });
        return { kind: 'derived', query: bound.query, alias: item.alias };
      }
      case 'join': {
        const left = this.from(item.left, scope, ctes);
        const right = item.lateral && item.right.kind === 'derived' ? this.lateral(item.right, scope, ctes) : this.from(item.right, scope, ctes);
        // OUTER APPLY is a LEFT lateral join without ON: every row of the left side is kept
        if (item.type !== 'CROSS' && !item.on && !item.lateral) throw new DynasqlError('DYNASQL_ERR_SYNTAX', `${item.type} JOIN needs an ON condition`);
        const on = item.on ? this.predicate(item.on, scope, ctes, 'ON') : undefined;
        return item.lateral ? { kind: 'join', type: item.type, left, right, on, lateral: true } : { kind: 'join', type: item.type, left, right, on };
      }
    }
  }

  /**
   * `source PIVOT (SUM(v) FOR c IN ([x], [y])) p` as the grouping T-SQL defines it: every column of
   * the source other than `c` and the aggregate's columns is a grouping column, and each listed value
   * is a column holding the aggregate of the rows where `c` equals it (a value with no rows: NULL):
   *   (SELECT g1, …, SUM(CASE WHEN c = 'x' THEN v END) AS [x], SUM(CASE WHEN c = 'y' THEN v END) AS [y]
   *    FROM (SELECT * FROM source) s GROUP BY g1, …) p
   * The source is bound once; the listed names compare as values of `c`'s type ([1] with an int).
   */
  private pivot(item: S.PivotTable, scope: Scope, ctes: CteInfo[]): P.FromRef {
    if (scope.find(item.alias)) throw new DynasqlError('DYNASQL_ERR_SYNTAX', `The name '${item.alias}' is used twice in FROM`);
    const agg = item.aggregate;
    const def = functionDef(agg.name, this.dialect);
    if (def?.kind !== 'aggregate' || agg.star || agg.args.length !== 1) {
      throw new DynasqlError('DYNASQL_ERR_SYNTAX', `PIVOT needs an aggregate of one column, such as SUM(x) or COUNT(x), not ${agg.name}${agg.star ? '(*)' : ''}`);
    }
    const sourceAlias = item.source.kind === 'table' ? item.source.alias ?? item.source.name : item.source.kind === 'derived' ? item.source.alias : item.alias;
    const input: S.Select = { kind: 'select', with: [], distinct: false, columns: [{ expr: { kind: 'star' } }], from: item.source, groupBy: [], orderBy: [] };
    const bound = this.query(input, scope.parent, ctes);
    this.prebound.set(input, bound);
    const lower = (name: string) => name.toLowerCase();
    const named = (name: string) => {
      const found = bound.names.find((n) => lower(n) === lower(name));
      if (!found) this.throwUnknownColumn(name, closestName(name, bound.names), name);
      return found!;
    };
    const pivotColumn = named(item.column.name);
    const valueColumns = columnNames(agg.args[0]!).map(named);
    const taken = new Set([pivotColumn, ...valueColumns].map(lower));
    const groups = bound.names.filter((n) => !taken.has(lower(n)));
    const column = (name: string): S.Expr => ({ kind: 'column', table: sourceAlias, name });
    const select: S.Select = {
      kind: 'select', with: [], distinct: false,
      columns: [
        ...groups.map((g) => ({ expr: column(g) })),
        ...item.values.map((value) => ({
          alias: value,
          expr: {
            ...agg,
            args: [{ kind: 'case', whens: [{ when: { kind: 'binary', op: '=', left: column(pivotColumn), right: { kind: 'literal', type: 'string', value } }, then: agg.args[0]! }] }],
          } as S.Expr,
        })),
      ],
      from: { kind: 'derived', query: input, alias: sourceAlias },
      groupBy: groups.map(column), orderBy: [],
    };
    const pivoted = this.query(select, scope.parent, ctes);
    scope.add({ kind: 'named', alias: item.alias, columns: pivoted.names, types: pivoted.types });
    return { kind: 'derived', query: pivoted.query, alias: item.alias };
  }

  /**
   * The right side of CROSS / OUTER APPLY (JOIN LATERAL): a derived table bound inside the FROM
   * clause's scope, so it sees the sources to its left (`CROSS APPLY (SELECT TOP 2 … WHERE
   * c.parentcustomerid = a.accountid) k`), as a correlated subquery sees its outer query.
   */
  private lateral(item: S.DerivedTable, scope: Scope, ctes: CteInfo[]): P.FromRef {
    if (scope.find(item.alias)) throw new DynasqlError('DYNASQL_ERR_SYNTAX', `The name '${item.alias}' is used twice in FROM`);
    const bound = this.query(item.query, scope, ctes);
    scope.add({ kind: 'named', alias: item.alias, columns: bound.names, types: bound.types });
    return { kind: 'derived', query: bound.query, alias: item.alias };
  }

  private table(ref: S.TableRef): Table {
    const qualified = ref.schema ? this.systemTables.get(`${ref.schema}.${ref.name}`.toLowerCase()) : undefined;
    const table = qualified ?? this.systemTables.get(ref.name.toLowerCase()) ?? this.index.table(ref.name);
    if (!table) {
      const names = [...this.systemTables.values(), ...this.options.catalog.tables].map((t) => t.name);
      throw this.unknownTable(ref.schema ? `${ref.schema}.${ref.name}` : ref.name, names);
    }
    return table;
  }

  private unknownTable(name: string, candidates: string[]): DynasqlError {
    const guess = closestName(name, candidates);
    // T-SQL's #name is a temporary table, which the library does not keep (the Postgres adapter has them)
    const hint = name.startsWith('#') ? ` Temporary tables (${name}) are not kept by the library or the REPL: use a CTE or a derived table.` : guess ? ` Did you mean '${guess}'?` : '';
    return new DynasqlError('DYNASQL_ERR_UNKNOWN_TABLE', `Unknown table '${name}'.${hint}`, { details: { name } });
  }

  private sourceHas(source: Source, name: string): boolean {
    if (source.kind === 'named') return source.columns.some((c) => c.toLowerCase() === name.toLowerCase());
    return this.index.column(source.scan.table, name) !== undefined;
  }

  private column(expr: S.ColumnExpr, scope: Scope): P.ColumnRef {
    for (let s: Scope | undefined = scope; s; s = s.parent) {
      if (expr.table) {
        const source = s.find(expr.table);
        if (!source) continue;
        return this.fromSource(source, expr);
      }
      let match: Source | undefined;
      for (const source of s.sources) {
        if (!this.sourceHas(source, expr.name)) continue;
        if (match) {
          const all = s.sources.filter((candidate) => this.sourceHas(candidate, expr.name));
          throw new DynasqlError('DYNASQL_ERR_AMBIGUOUS_COLUMN', `Column '${expr.name}' is ambiguous: it is in ${all.map((m) => m.alias).join(' and ')}`);
        }
        match = source;
      }
      if (match) return this.fromSource(match, expr);
    }
    if (expr.table && !this.anyScopeHas(scope, expr.table)) {
      throw this.unknownTable(expr.table, scope.sources.map((s) => s.alias));
    }
    const guess = closestName(expr.name, scope.candidateNames());
    const shown = expr.table ? `${expr.table}.${expr.name}` : expr.name;
    return this.throwUnknownColumn(shown, guess, expr.name);
  }

  private anyScopeHas(scope: Scope, alias: string): boolean {
    for (let s: Scope | undefined = scope; s; s = s.parent) if (s.find(alias)) return true;
    return false;
  }

  /** `shown` as the user wrote it (`a.nme`); `column` alone (`nme`) is what gets located in the SQL text */
  private throwUnknownColumn(shown: string, guess: string | undefined, column: string): never {
    throw new DynasqlError('DYNASQL_ERR_UNKNOWN_COLUMN', `Unknown column '${shown}'.${guess ? ` Did you mean '${guess}'?` : ''}`, { details: { name: column } });
  }

  private fromSource(source: Source, expr: S.ColumnExpr): P.ColumnRef {
    if (source.kind === 'named') {
      const index = source.columns.findIndex((c) => c.toLowerCase() === expr.name.toLowerCase());
      if (index < 0) return this.throwUnknownColumn(`${source.alias}.${expr.name}`, closestName(expr.name, source.columns), expr.name);
      return { kind: 'column', name: source.columns[index]!, qualifier: source.alias, sqlType: source.types[index]! };
    }
    const column = this.index.column(source.scan.table, expr.name);
    if (!column) {
      return this.throwUnknownColumn(`${source.alias}.${expr.name}`, closestName(expr.name, source.scan.table.columns.map((c) => c.name)), expr.name);
    }
    if (column.kind === 'navigation') {
      throw new DynasqlError('DYNASQL_ERR_UNSUPPORTED_SQL', `'${column.name}' is a navigation property; join its table instead`);
    }
    this.need(source.scan, column);
    return { kind: 'column', name: column.name, qualifier: source.alias, scanId: source.scan.id, column, sqlType: column.sqlType };
  }

  private expr(expr: S.Expr, scope: Scope, ctes: CteInfo[]): P.Expr {
    const e = (x: S.Expr) => this.expr(x, scope, ctes);
    const sub = (q: S.Query) => this.query(q, scope, ctes);
    const when = (x: S.Expr) => this.predicate(x, scope, ctes, 'WHEN');
    switch (expr.kind) {
      case 'column': return this.column(expr, scope);
      case 'literal': return { kind: 'literal', type: expr.type, value: expr.value, sqlType: literalType(expr.type, expr.value, this.dialect, expr.national) };
      case 'param': return this.param(expr.ref);
      case 'binary': return this.binary(expr.op, e(expr.left), e(expr.right));
      case 'unary': {
        const operand = e(expr.operand);
        const sqlType = expr.op === 'NOT' ? BOOLEAN : expr.op === '-' ? negationType(operand.sqlType) : operand.sqlType;
        return { kind: 'unary', op: expr.op, operand, sqlType };
      }
      case 'like': {
        const bound: P.Like = {
          kind: 'like', expr: e(expr.expr), pattern: e(expr.pattern), negated: expr.negated,
          escape: expr.escape ? e(expr.escape) : undefined, sqlType: BOOLEAN,
        };
        return bound;
      }
      case 'inList': {
        const value = e(expr.expr);
        const list = expr.arrayParameter ? this.arrayItems(expr.list[0]!) : expr.list.map(e);
        // `= ANY($1)` with an empty array is never true, `<> ALL($1)` always
        if (list.length === 0) return { kind: 'literal', type: 'boolean', value: expr.negated, sqlType: BOOLEAN };
        for (const item of list) comparisonType(value.sqlType, item.sqlType);
        return { kind: 'inList', expr: value, list, negated: expr.negated, sqlType: BOOLEAN };
      }
      case 'inQuery': {
        const value = e(expr.expr);
        const query = sub(expr.query);
        if (query.types.length !== 1) throw new DynasqlError('DYNASQL_ERR_SYNTAX', `The subquery after IN must return one column, not ${query.types.length}`);
        comparisonType(value.sqlType, query.types[0]!);
        return { kind: 'inQuery', expr: value, query: query.query, negated: expr.negated, sqlType: BOOLEAN };
      }
      case 'between': {
        const [value, low, high] = [e(expr.expr), e(expr.low), e(expr.high)];
        comparisonType(value.sqlType, low.sqlType);
        comparisonType(value.sqlType, high.sqlType);
        return { kind: 'between', expr: value, low, high, negated: expr.negated, sqlType: BOOLEAN };
      }
      case 'isNull': return { kind: 'isNull', expr: e(expr.expr), negated: expr.negated, sqlType: BOOLEAN };
      case 'exists': return { kind: 'exists', query: sub(expr.query).query, negated: expr.negated, sqlType: BOOLEAN };
      case 'case': {
        const operand = expr.operand ? e(expr.operand) : undefined;
        const whens = expr.whens.map((w) => ({ when: operand ? e(w.when) : when(w.when), then: e(w.then) }));
        if (operand) for (const w of whens) comparisonType(operand.sqlType, w.when.sqlType);
        const otherwise = expr.else ? e(expr.else) : undefined;
        const sqlType = commonType([...whens.map((w) => w.then.sqlType), ...(otherwise ? [otherwise.sqlType] : [])], this.dialect);
        return { kind: 'case', whens, operand, else: otherwise, sqlType };
      }
      case 'cast': {
        const value = e(expr.expr);
        const sqlType = this.castType(expr.type);
        if (isBinary(value.sqlType) && !isBinary(sqlType)) {
          throw new DynasqlError('DYNASQL_ERR_UNSUPPORTED_SQL', `Unsupported SQL: a CAST of ${formatType(value.sqlType)} to ${formatType(sqlType)} (T-SQL reads the bytes as characters or a number)`);
        }
        if (expr.style) styleHasNoEffect(value.sqlType, sqlType);
        return { kind: 'cast', expr: value, type: { ...expr.type }, try: expr.try, sqlType };
      }
      case 'function': return this.call(expr, e);
      case 'subquery': {
        const query = sub(expr.query);
        if (query.types.length !== 1) throw new DynasqlError('DYNASQL_ERR_SYNTAX', `A subquery used as a value must return one column, not ${query.types.length}`);
        return { kind: 'subquery', query: query.query, sqlType: query.types[0]! };
      }
      case 'keyword': return { kind: 'keyword', word: expr.word, sqlType: NVARCHAR_MAX };
      case 'star': throw new DynasqlError('DYNASQL_ERR_SYNTAX', '* is allowed only in the select list and COUNT(*)');
    }
  }

  /** a CAST target; PostgreSQL's `varchar` without a length has none (T-SQL's is varchar(30)) */
  private castType(type: S.TypeName): SqlType {
    const unbounded = this.dialect === 'postgresql' && type.length === undefined && /^(N?VARCHAR|CHARACTER VARYING)$/i.test(type.name);
    return unbounded ? namedType('TEXT') : namedType(type.name, type.length, type.precision, type.scale);
  }

  private param(ref: string | number): P.Expr {
    if (ref === STATEMENT_TIME) return { kind: 'param', ref, sqlType: DATETIMEOFFSET };
    const value = this.options.params?.get(ref);
    if (Array.isArray(value)) {
      const name = typeof ref === 'number' ? `$${ref + 1}` : `@${ref}`;
      throw new DynasqlError('DYNASQL_ERR_PARAMETER', `Parameter ${name} holds an array; an array is accepted only in x = ANY(${name}) and x <> ALL(${name})`);
    }
    return { kind: 'param', ref, sqlType: this.options.params ? valueType(value) : NULL };
  }

  /**
   * The items of an array parameter (`x = ANY($1)`) as literals, so the list is pushed down and
   * rendered as if written out. The value is a JavaScript array, or PostgreSQL's array text
   * (`{a,"b c",NULL}`), which is how the adapter receives an array a client sends in text.
   * Without the values (checking a statement before its parameters), the parameter stands alone.
   */
  private arrayItems(param: S.Expr): P.Expr[] {
    if (param.kind !== 'param') throw new DynasqlError('DYNASQL_ERR_INTERNAL', 'ANY / ALL without its parameter');
    if (!this.options.params) return [{ kind: 'param', ref: param.ref, sqlType: NULL }];
    const value = this.options.params.get(param.ref);
    const items = Array.isArray(value) ? value : typeof value === 'string' ? parseArrayText(value) : undefined;
    const name = typeof param.ref === 'number' ? `$${param.ref + 1}` : `@${param.ref}`;
    if (!items) throw new DynasqlError('DYNASQL_ERR_PARAMETER', `Parameter ${name} of ANY / ALL must be an array (or PostgreSQL's array text such as '{1,2}')`);
    return items.map((item, i) => arrayItemLiteral(item, `${name}[${i + 1}]`, this.dialect));
  }

  /** a binary operator, typed: comparisons and AND/OR are predicates, `+` of strings concatenates */
  private binary(op: S.BinaryOp, left: P.Expr, right: P.Expr): P.Binary {
    let sqlType: SqlType;
    switch (op) {
      case 'AND': case 'OR':
        sqlType = BOOLEAN;
        break;
      case '=': case '<>': case '<': case '<=': case '>': case '>=':
        comparisonType(left.sqlType, right.sqlType);
        sqlType = BOOLEAN;
        break;
      case '||':
        sqlType = pipesConcatenationType(left.sqlType, right.sqlType);
        break;
      default:
        sqlType = arithmeticType(op, left.sqlType, right.sqlType, this.dialect);
    }
    return { kind: 'binary', op, left, right, sqlType };
  }

  private call(expr: S.FunctionExpr, e: (x: S.Expr) => P.Expr): P.Call {
    const def = functionDef(expr.name, this.dialect);
    if (!def) throw new DynasqlError('DYNASQL_ERR_UNSUPPORTED_SQL', `Unknown function ${expr.name}.${suggestFunction(expr.name)}`);
    if (def.kind === 'window' && !expr.over) throw new DynasqlError('DYNASQL_ERR_SYNTAX', `${expr.name} needs an OVER clause: ${expr.name}(…) OVER ([PARTITION BY …] ORDER BY …)`);
    const count = expr.star ? 0 : expr.args.length;
    const [min, max] = def.arity;
    if (count < min || count > max) {
      const wanted = min === max ? `${min}` : max >= 254 ? `at least ${min}` : `${min} to ${max}`;
      throw new DynasqlError('DYNASQL_ERR_SYNTAX', `${expr.name} takes ${wanted} argument${wanted === '1' ? '' : 's'}, not ${count}`);
    }
    if (expr.star && def.name !== 'COUNT' && def.name !== 'COUNT_BIG') throw new DynasqlError('DYNASQL_ERR_SYNTAX', `${expr.name}(*) is not allowed; only COUNT(*)`);
    const args = expr.args.map(e);
    if (def.datePart) {
      const part = args[0];
      if (part?.kind !== 'keyword') throw new DynasqlError('DYNASQL_ERR_SYNTAX', `${expr.name} needs a date part (year, month, day …) as its first argument`);
      datePart(part.word);
    }
    const valueArgs = def.datePart ? args.slice(1) : args;
    const over = expr.over ? {
      partitionBy: expr.over.partitionBy.map(e),
      orderBy: expr.over.orderBy.map((o) => ({ expr: e(o.expr), descending: o.descending, nulls: o.nulls })),
      frame: expr.over.frame,
    } : undefined;
    if (expr.withinGroup && def.name !== 'STRING_AGG') throw new DynasqlError('DYNASQL_ERR_UNSUPPORTED_SQL', `Unsupported SQL: an order inside ${expr.name} (only STRING_AGG takes one)`);
    if (expr.withinGroup && expr.over) throw new DynasqlError('DYNASQL_ERR_UNSUPPORTED_SQL', `Unsupported SQL: ${expr.name} with both an order inside it and OVER`);
    const withinGroup = expr.withinGroup?.map((o) => ({ expr: e(o.expr), descending: o.descending, nulls: o.nulls }));
    const bytes = valueArgs.find((a) => isBinary(a.sqlType));
    if (bytes && !TAKES_BYTES.has(def.name)) throw new DynasqlError('DYNASQL_ERR_UNSUPPORTED_SQL', `Unsupported SQL: ${def.name} of ${formatType(bytes.sqlType)} (dynasql's functions take bytes only in ${[...TAKES_BYTES].join(', ')})`);
    const literals = valueArgs.map((a) => (a.kind === 'literal' && a.type === 'string' ? String(a.value) : undefined));
    const sqlType = plainInteger(def.result(valueArgs.map((a) => a.sqlType), this.dialect, literals));
    if (FISCAL_FUNCTIONS.has(def.name)) args.push(this.fiscalSettings(def.name));
    return { kind: 'function', name: def.name, args, distinct: expr.distinct, star: expr.star, over, ...(withinGroup ? { withinGroup } : {}), sqlType };
  }

  /** the organization's fiscal settings as the hidden last argument of FISCAL_YEAR / FISCAL_PERIOD (plan/fiscal.ts) */
  private fiscalSettings(name: string): P.Literal {
    const fiscal = this.options.fiscal;
    if (fiscal === 'unread') throw new FiscalSettingsNeeded();
    if (!fiscal) {
      throw new DynasqlError('DYNASQL_ERR_UNSUPPORTED_SQL', `Unsupported SQL: ${name}() reads the organization's fiscal settings, which only Dataverse has (in SELECT statements and the rows a write reads)`);
    }
    return { kind: 'literal', type: 'string', value: encodeFiscal(checkFiscal(fiscal)), sqlType: { name: 'varchar', length: 20 } };
  }
}

/** the functions that pass bytes through or count them, with T-SQL's meaning (others would read them as text or a number) */
const TAKES_BYTES: ReadonlySet<string> = new Set(['COUNT', 'COUNT_BIG', 'MIN', 'MAX', 'COALESCE', 'ISNULL', 'IIF', 'FIRST_VALUE', 'LAST_VALUE', 'LAG', 'LEAD']);

/**
 * PostgreSQL's one-dimensional array text: `{a,"b,c",NULL,"NULL"}` → ['a', 'b,c', null, 'NULL'].
 * Undefined for text that is not one (nested arrays included).
 */
function parseArrayText(text: string): (string | null)[] | undefined {
  const body = /^\s*\{(.*)\}\s*$/s.exec(text)?.[1];
  if (body === undefined) return undefined;
  if (body.trim() === '') return [];
  const items: (string | null)[] = [];
  let i = 0;
  for (;;) {
    while (body[i] === ' ') i++;
    if (body[i] === '"') {
      let item = '';
      for (i++; i < body.length && body[i] !== '"'; i++) item += body[i] === '\\' ? body[++i] ?? '' : body[i];
      if (body[i] !== '"') return undefined;
      items.push(item);
      i++;
      while (body[i] === ' ') i++;
    } else {
      let end = body.indexOf(',', i);
      if (end < 0) end = body.length;
      const item = body.slice(i, end).trim();
      if (item === '' || /[{}"]/.test(item)) return undefined;
      items.push(item.toUpperCase() === 'NULL' ? null : item);
      i = end;
    }
    if (i >= body.length) return items;
    if (body[i] !== ',') return undefined;
    i++;
  }
}

/** one array item as the literal it would be written as */
function arrayItemLiteral(item: unknown, name: string, dialect: TypeDialect): P.Expr {
  const literal = (type: P.LiteralType, value: string | boolean | null): P.Expr => ({ kind: 'literal', type, value, sqlType: literalType(type, value, dialect) });
  if (item === null || item === undefined) return literal('null', null);
  if (typeof item === 'string') return literal('string', item);
  if (typeof item === 'boolean') return literal('boolean', item);
  if (typeof item === 'bigint' || (typeof item === 'number' && Number.isFinite(item))) return literal('number', String(item));
  if (item instanceof Date && !Number.isNaN(item.getTime())) return literal('timestamp', item.toISOString().replace('T', ' ').replace('Z', ''));
  throw new DynasqlError('DYNASQL_ERR_PARAMETER', `${name} cannot be compared (${typeof item}); use strings, numbers, booleans, Dates or null`);
}

/** the names of the columns an expression reads (`SUM(revenue * 2)` → ['revenue']) */
function columnNames(expr: S.Expr): string[] {
  const names: string[] = [];
  const visit = (value: unknown): void => {
    if (Array.isArray(value)) for (const item of value) visit(item);
    else if (value && typeof value === 'object') {
      const node = value as { kind?: unknown; name?: unknown };
      if (node.kind === 'column' && typeof node.name === 'string') names.push(node.name);
      else for (const inner of Object.values(value)) visit(inner);
    }
  };
  visit(expr);
  return names;
}

/**
 * CONVERT's style decides the text of a date, time, float or money value and how text is read as a
 * date: dynasql does not follow the styles, so there it is refused rather than ignored. For other
 * types SQL Server ignores the style too (`CONVERT(varchar, 42, 1)` is '42').
 */
function styleHasNoEffect(from: SqlType, to: SqlType): void {
  const styled = (t: SqlType) => isDateTime(t) || isApproximate(t) || isMoney(t);
  if (styled(from) || styled(to)) {
    throw new DynasqlError('DYNASQL_ERR_UNSUPPORTED_SQL', `Unsupported SQL: CONVERT with a style between ${formatType(from)} and ${formatType(to)} (the style changes the text, and dynasql does not follow styles); use CONVERT(type, value)`);
  }
}

/** T-SQL's recursion limit when the statement has no OPTION (MAXRECURSION n) */
const TSQL_MAX_RECURSION = 100;

/** whether the query reads a table (or CTE) named `name` in a FROM clause, at any depth */
function readsTable(query: S.Query, name: string): boolean {
  return tableReferences(query, name) > 0;
}

/** how many times the query names `name` (unqualified) in its FROM clauses and subqueries' FROM clauses */
function tableReferences(query: S.Query, name: string): number {
  const lower = name.toLowerCase();
  let count = 0;
  const visitQuery = (q: S.Query): void => {
    // a CTE of the same name inside hides the outer one; that is rare enough to count conservatively
    for (const cte of q.with) visitQuery(cte.query);
    if (q.kind === 'setop') {
      visitQuery(q.left);
      visitQuery(q.right);
      return;
    }
    if (q.from) visitFrom(q.from);
    for (const e of [q.where, q.having, ...q.columns.map((c) => c.expr)]) if (e) visitExpr(e);
  };
  const visitFrom = (f: S.FromItem): void => {
    if (f.kind === 'table') {
      if (!f.schema && !f.args && f.name.toLowerCase() === lower) count++;
    } else if (f.kind === 'derived') visitQuery(f.query);
    else if (f.kind === 'pivot') visitFrom(f.source);
    else {
      visitFrom(f.left);
      visitFrom(f.right);
      if (f.on) visitExpr(f.on);
    }
  };
  // expressions hold queries in subqueries, EXISTS and IN (SELECT …), at any depth (CASE arms, call arguments)
  const visitExpr = (value: unknown): void => {
    if (Array.isArray(value)) {
      for (const item of value) visitExpr(item);
    } else if (value && typeof value === 'object') {
      const kind = (value as { kind?: unknown }).kind;
      if (kind === 'select' || kind === 'setop') visitQuery(value as S.Query);
      else for (const inner of Object.values(value)) visitExpr(inner);
    }
  };
  visitQuery(query);
  return count;
}

/** items that are the same catalog column share a key: `SELECT name, name … ORDER BY name` is not ambiguous */
function sameColumnKey(expr: P.Expr): string | undefined {
  return expr.kind === 'column' ? `${expr.scanId ?? ''}:${expr.qualifier ?? ''}.${expr.name}`.toLowerCase() : undefined;
}

/**
 * Per-table facts every statement needs, worked out once per column list (catalogs are not changed in
 * place; a refresh brings new tables): a statement that names 3 of 250 columns should not lower-case
 * or filter all 250 again.
 */
const positionsOf = new WeakMap<readonly Column[], ReadonlyMap<string, readonly number[]>>();
const starColumnsOf = new WeakMap<readonly Column[], { plain: readonly Column[]; formatted: readonly Column[] }>();

/** lower-case column name → its positions in the list (`Name` and `name` would share one entry) */
function columnPositions(columns: readonly Column[]): ReadonlyMap<string, readonly number[]> {
  let positions = positionsOf.get(columns);
  if (!positions) {
    const map = new Map<string, number[]>();
    columns.forEach((c, i) => {
      const name = c.name.toLowerCase();
      const list = map.get(name);
      if (list) list.push(i); else map.set(name, [i]);
    });
    positionsOf.set(columns, (positions = map));
  }
  return positions;
}

/** the columns `SELECT *` reads: data and lookups, plus the name/label columns with formatted values */
function starColumns(columns: readonly Column[], includeFormattedValues: boolean): readonly Column[] {
  let star = starColumnsOf.get(columns);
  if (!star) {
    const visible = (formatted: boolean) => Object.freeze(columns.filter((c) => c.kind !== 'navigation'
      && (c.kind === 'data' || c.kind === 'lookup' || formatted)));
    starColumnsOf.set(columns, (star = { plain: visible(false), formatted: visible(true) }));
  }
  return includeFormattedValues ? star.formatted : star.plain;
}

/** the system tables by lower-case name (`sys_tables`, `information_schema.columns`), once per list */
const NO_TABLES: readonly Table[] = [];
const systemTableNames = new WeakMap<readonly Table[], ReadonlyMap<string, Table>>();

function systemTablesByName(tables: readonly Table[]): ReadonlyMap<string, Table> {
  let byName = systemTableNames.get(tables);
  if (!byName) systemTableNames.set(tables, (byName = new Map(tables.map((t) => [t.name.toLowerCase(), t]))));
  return byName;
}

function uniqueName(name: string, taken: readonly string[]): string {
  const isTaken = (candidate: string) => {
    const lower = candidate.toLowerCase();
    return taken.some((t) => t.toLowerCase() === lower);
  };
  if (!isTaken(name)) return name;
  let n = 2;
  while (isTaken(`${name}_${n}`)) n++;
  return `${name}_${n}`;
}

/** adds `value` to the ascending list `sorted` in its place (lists of a statement's columns are short) */
function insertInOrder(sorted: number[], value: number): void {
  let i = sorted.length;
  sorted.push(value);
  for (; i > 0 && sorted[i - 1]! > value; i--) sorted[i] = sorted[i - 1]!;
  sorted[i] = value;
}

function suggestFunction(name: string): string {
  const guess = closestName(name, knownFunctionNames());
  return guess ? ` Did you mean ${guess}?` : '';
}
