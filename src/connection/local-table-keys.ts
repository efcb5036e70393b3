/**
 * A join of a Dynamics table with a local table (a pgwire temporary table, a system table) on a key:
 * the local table's rows are known before any request, so the Dynamics side can be asked for only
 * the rows whose key is one of the local values. The rule adds `remote.key IN (the local values)` as
 * one more conjunct where it is implied by the statement, and the push-down sends it as `$filter`
 * when it translates exactly (else it stays local, where it changes nothing). The join itself still
 * runs locally.
 *
 * Implied, so exact: an equality `remote.k = local.c` among the conjuncts of WHERE or of an inner
 * join's ON, both scans inner-joined in the same FROM (a row survives only with a local row whose
 * `c` equals its `k`, never NULL); the same in an outer join's ON with the Dynamics table on its
 * optional side (the keys go into that ON); or `remote.k IN (SELECT local.c FROM local …)` in WHERE (whatever
 * else the subquery filters, its values are among all of `c`'s).
 *
 * Example: `SELECT a.name FROM account a JOIN ids i ON i.id = a.accountid` with ids holding two
 * GUIDs → `… WHERE a.accountid IN ('…', '…')` → `$filter=accountid eq … or accountid eq …`.
 */
import type * as P from '../plan/index.js';
import type { SqlType } from '../catalog/types.js';
import { literalType, type TypeDialect } from '../types/index.js';

/** more keys than this and the Dynamics table is read whole (a request URL has a length limit) */
const MAX_KEYS = 50;

const INTEGER_TYPES = new Set(['int', 'bigint', 'smallint', 'tinyint']);
const STRING_TYPES = new Set(['nvarchar', 'varchar']);

type LocalRows = (table: string) => readonly Record<string, unknown>[];

export function withLocalTableKeys(bound: P.BoundQuery, rowsOf: LocalRows, dialect: TypeDialect): P.BoundQuery {
  const scans = new Map(bound.scans.map((s) => [s.id, s]));
  if (!bound.scans.some((s) => s.source === 'local') || !bound.scans.some((s) => s.source === 'remote')) return bound;
  const rule = new KeyRule(scans, rowsOf, dialect);
  return { ...bound, query: rule.query(bound.query) };
}

class KeyRule {
  constructor(private readonly scans: Map<number, P.Scan>, private readonly rowsOf: LocalRows, private readonly dialect: TypeDialect) {}

  query(q: P.Query): P.Query {
    const withCtes = q.with.map((cte) => ({ ...cte, query: this.query(cte.query) }));
    if (q.kind === 'setop') return { ...q, with: withCtes, left: this.query(q.left), right: this.query(q.right) };
    const from = q.from ? this.from(q.from) : undefined;
    const select: P.Select = { ...q, with: withCtes, ...(from ? { from } : {}) };
    const inner = new Set<number>();
    const on: P.Expr[] = [];
    if (from) innerScans(from, inner, on);
    const added: P.Expr[] = [];
    for (const conjunct of [...conjuncts(select.where), ...on]) {
      const keyed = this.keyFilter(conjunct, inner, inner);
      if (keyed) added.push(keyed);
    }
    if (added.length === 0) return select;
    return { ...select, where: andAll([...(select.where ? [select.where] : []), ...added]) };
  }

  private from(ref: P.FromRef): P.FromRef {
    if (ref.kind === 'derived') return { ...ref, query: this.query(ref.query) };
    if (ref.kind !== 'join') return ref;
    const join = { ...ref, left: this.from(ref.left), right: this.from(ref.right) };
    // an outer join: the optional side's rows are read only where ON matches a row of the other side,
    // so the keys go into ON (never into WHERE, which would drop the rows without a match)
    const optional = join.type === 'LEFT' ? join.right : join.type === 'RIGHT' ? join.left : undefined;
    if (!optional || join.lateral || !join.on) return join;
    const remote = new Set<number>();
    innerScans(optional, remote, []);
    const local = new Set<number>();
    allScans(optional === join.right ? join.left : join.right, local);
    const added = conjuncts(join.on).map((c) => this.keyFilter(c, remote, local)).filter((e): e is P.Expr => e !== undefined);
    return added.length === 0 ? join : { ...join, on: andAll([join.on, ...added]) };
  }

  /**
   * `remote.k IN (local values)` for a conjunct that implies it, else undefined; `remoteScans` /
   * `localScans`: the scans each side may come from
   */
  private keyFilter(conjunct: P.Expr, remoteScans: ReadonlySet<number>, localScans: ReadonlySet<number>): P.Expr | undefined {
    if (conjunct.kind === 'binary' && conjunct.op === '=') {
      for (const [r, l] of [[conjunct.left, conjunct.right], [conjunct.right, conjunct.left]] as const) {
        const remote = this.scanColumn(r, remoteScans);
        const local = this.scanColumn(l, localScans);
        if (remote?.scan.source === 'remote' && local?.scan.source === 'local') return this.inList(r as P.ColumnRef, remote.column, local);
      }
      return undefined;
    }
    if (conjunct.kind === 'inQuery' && !conjunct.negated && conjunct.query.kind === 'select') {
      const remote = this.scanColumn(conjunct.expr, remoteScans);
      const sub = conjunct.query;
      if (!remote || remote.scan.source !== 'remote' || sub.from?.kind !== 'scan' || sub.columns.length !== 1 || sub.groupBy.length > 0 || sub.having) return undefined;
      const local = this.scanColumn(sub.columns[0]!.expr, new Set([sub.from.scanId]));
      return local?.scan.source === 'local' ? this.inList(conjunct.expr as P.ColumnRef, remote.column, local) : undefined;
    }
    return undefined;
  }

  private scanColumn(expr: P.Expr, inner: ReadonlySet<number>): { scan: P.Scan; column: P.ColumnRef['column'] & object } | undefined {
    if (expr.kind !== 'column' || expr.scanId === undefined || !expr.column || !inner.has(expr.scanId)) return undefined;
    const scan = this.scans.get(expr.scanId);
    return scan ? { scan, column: expr.column } : undefined;
  }

  private inList(remote: P.ColumnRef, remoteColumn: { sqlType: SqlType }, local: { scan: P.Scan; column: { name: string; sqlType: SqlType } }): P.Expr | undefined {
    const values = this.rowsOf(local.scan.table.name).map((row) => row[local.column.name]);
    return keyInList(remote, remoteColumn.sqlType, local.column.sqlType, values, this.dialect, { maxKeys: MAX_KEYS });
  }
}

/**
 * `remote IN (the distinct non-NULL values)` as literals of the remote column's kind, when the two
 * types compare exactly as such literals and the keys stay within `bounds`; else undefined (the
 * caller keeps its plan). No value at all is undefined too: an empty IN list has no OData form.
 * Shared by local tables' keys and a subquery's keys read first (subquery-keys.ts).
 */
export function keyInList(
  remote: P.Expr, remoteType: SqlType, valuesType: SqlType, values: Iterable<unknown>, dialect: TypeDialect, bounds: { maxKeys: number; maxChars?: number },
): P.InList | undefined {
  const kind = keyKind(remoteType, valuesType);
  if (!kind) return undefined;
  const keys = new Set<string>();
  let chars = 0;
  for (const value of values) {
    if (value === null || value === undefined) continue;
    if (kind === 'number' && !(typeof value === 'number' ? Number.isSafeInteger(value) : typeof value === 'bigint')) return undefined;
    const key = kind === 'guid' ? String(value).toLowerCase() : String(value);
    if (keys.has(key)) continue;
    keys.add(key);
    chars += key.length;
    if (keys.size > bounds.maxKeys || (bounds.maxChars !== undefined && chars > bounds.maxChars)) return undefined;
  }
  if (keys.size === 0) return undefined;
  const literalKind = kind === 'number' ? 'number' : 'string';
  const list = [...keys].map((value): P.Expr => ({ kind: 'literal', type: literalKind, value, sqlType: literalType(literalKind, value, dialect) }));
  return { kind: 'inList', expr: remote, list, negated: false, sqlType: { name: 'boolean' } };
}

/** how keys of these two column types compare exactly as literals: GUIDs, integers, strings; else undefined */
function keyKind(remote: SqlType, local: SqlType): 'guid' | 'number' | 'string' | undefined {
  if (remote.name === 'uniqueidentifier' && local.name === 'uniqueidentifier') return 'guid';
  if (INTEGER_TYPES.has(remote.name) && INTEGER_TYPES.has(local.name)) return 'number';
  if (STRING_TYPES.has(remote.name) && STRING_TYPES.has(local.name)) return 'string';
  return undefined;
}

/** the scans of a FROM whose rows all take part (inner and cross joins), and the ON conditions among them */
function innerScans(ref: P.FromRef, into: Set<number>, on: P.Expr[]): void {
  if (ref.kind === 'scan') into.add(ref.scanId);
  if (ref.kind !== 'join' || (ref.type !== 'INNER' && ref.type !== 'CROSS') || ref.lateral) return;
  innerScans(ref.left, into, on);
  innerScans(ref.right, into, on);
  on.push(...conjuncts(ref.on));
}

function allScans(ref: P.FromRef, into: Set<number>): void {
  if (ref.kind === 'scan') into.add(ref.scanId);
  if (ref.kind === 'join') {
    allScans(ref.left, into);
    allScans(ref.right, into);
  }
}

function andAll(exprs: P.Expr[]): P.Expr {
  return exprs.reduce((left, right): P.Expr => ({ kind: 'binary', op: 'AND', left, right, sqlType: { name: 'boolean' } }));
}

export function conjuncts(expr: P.Expr | undefined): P.Expr[] {
  if (!expr) return [];
  return expr.kind === 'binary' && expr.op === 'AND' ? [...conjuncts(expr.left), ...conjuncts(expr.right)] : [expr];
}
