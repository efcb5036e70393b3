/**
 * One WHERE conjunct → an OData filter that is true exactly when the SQL condition is TRUE, or the
 * reason it cannot be. Exactness rules (protocol doc §12):
 * - `ne` matches nulls in OData, so `x <> 1` is sent as `x ne 1 and x ne null`;
 * - `NOT` is pushed inward (De Morgan, flipped operators) because `not (x eq 1)` is true for null x;
 * - LIKE becomes startswith/endswith/contains (or F&O `eq 'x*'`) only when the literal part holds
 *   none of the characters the service treats as wildcards; a LIKE without wildcards is `eq` and
 *   `endswith` (eq alone would ignore trailing blanks, which LIKE on nvarchar does not);
 * - display columns are annotations the service cannot filter on, so they are filtered through what
 *   they show (service-metadata.ts gives the labels and primary names): a choice label as the option
 *   values that carry it (`industrycodename = 'Accounting'` → `industrycode eq 1`; a label no option
 *   has → `false`; a yes/no column's label as its value: `donotemailname = 'Do Not Allow'` → `donotemail eq true`), a lookup's name through its navigation property (`primarycontactid/fullname eq
 *   'Mark'`; a polymorphic lookup's as one `or` per target type), a lookup's type as the target's
 *   navigation being set (`parentcustomeridtype = 'contact'` → `parentcustomerid_contact/contactid ne null`).
 *
 * `translateConjunct(<revenue > 1000 AND name LIKE 'A%'>, …)` → `revenue gt 1000 and startswith(name,'A')`.
 */
import type { Column, LookupTarget, Table } from '../catalog/types.js';
import { DynasqlError } from '../errors/index.js';
import { andAll, orAll, type CompareOp, type LiteralTarget, type ODataFilter } from '../odata/index.js';
import { odataLiteral } from '../odata/index.js';
import type { ColumnRef, Expr } from '../plan/index.js';
import type { Capabilities } from '../capabilities/index.js';
import { constantValue, type ConstantValue, type ParamValues } from './values.js';
import { columnFirst, dateOnlyInstant, fiscalYearBounds, inListValues, local, NEGATE, NotPushable, SQL_COMPARE_OPS } from './filter-common.js';
import type { MetadataReader } from './service-metadata.js';

export type Translation = { ok: true; filter: ODataFilter } | { ok: false; reason: string };

/** the scan's table and the service metadata read for its display columns (labels, primary names) */
export interface ScanMetadata { table: Table; metadata: MetadataReader }

/** why a condition on a column's value stays local, or undefined: see Context.valueRefusal */
export type ValueRefusal = (column: Column) => string | undefined;

interface Context {
  scanId: number; facts: Capabilities; params: ParamValues; scan?: ScanMetadata;
  /** why a condition on the column's value stays local although the column is filterable (a multi-select choice: column-kinds.ts) */
  valueRefusal?: ValueRefusal;
  /**
   * the lookup-name columns read, in this translation, as one target's name path each
   * (`primarycontactid/fullname`); a column is resolved at most once, so a condition on two lookup
   * names (`parentaccountidname <= primarycontactidname`) nests two levels deep, not forever
   */
  namePaths?: ReadonlyMap<Column, Column>;
}

/** characters the service would read as wildcards inside a string-match value */
function wildcardChars(facts: Capabilities): string {
  if (facts.likeStyle === 'wildcard-eq') return '*';
  return facts.likeWildcardsInStringFunctions ? '%_[' : '';
}

const INTEGER_TYPES = new Set(['Edm.Int16', 'Edm.Int32', 'Edm.Int64', 'Edm.Byte', 'Edm.SByte']);

/**
 * Thrown when a condition stays local, and caught in translateConjunct. Not an Error on purpose:
 * conditions that stay local are common, and capturing a stack trace for each cost more than the
 * translation itself (`numberofemployees > 10.5`).
 */

export function translateConjunct(
  expr: Expr, scanId: number, facts: Capabilities, params: ParamValues, scan?: ScanMetadata, valueRefusal?: ValueRefusal,
): Translation {
  try {
    return { ok: true, filter: translate(expr, false, { scanId, facts, params, scan, valueRefusal }) };
  } catch (error) {
    if (error instanceof NotPushable) return { ok: false, reason: error.reason };
    throw error;
  }
}

function translate(expr: Expr, negated: boolean, ctx: Context): ODataFilter {
  const subject = lookupNameSubject(expr, ctx);
  if (subject) return throughNamePaths(expr, negated, subject, ctx);
  switch (expr.kind) {
    case 'binary': {
      if (expr.op === 'AND' || expr.op === 'OR') {
        // De Morgan under NOT: NOT (a AND b) = NOT a OR NOT b
        const isAnd = (expr.op === 'AND') !== negated;
        const parts = [translate(expr.left, negated, ctx), translate(expr.right, negated, ctx)];
        return isAnd ? andAll(parts)! : orAll(parts);
      }
      const op = SQL_COMPARE_OPS[expr.op];
      if (!op) return local(`operator ${expr.op} is computed locally`);
      return comparison(expr.left, op, expr.right, negated, ctx);
    }
    case 'unary':
      if (expr.op === 'NOT') return translate(expr.operand, !negated, ctx);
      return local('arithmetic is computed locally');
    case 'isNull': {
      const display = displayColumn(expr.expr, ctx);
      if (display) return displayIsNull(display, expr.negated === negated);
      const column = columnOf(expr.expr, ctx, true);
      return { kind: 'compare', op: expr.negated !== negated ? 'ne' : 'eq', property: column.odataName, value: null, target: target(column) };
    }
    case 'between': {
      const isNot = expr.negated !== negated;
      const low = comparison(expr.expr, isNot ? 'lt' : 'ge', expr.low, false, ctx);
      const high = comparison(expr.expr, isNot ? 'gt' : 'le', expr.high, false, ctx);
      return isNot ? orAll([low, high]) : andAll([low, high])!;
    }
    case 'inList':
      return inList(expr.expr, expr.list, expr.negated !== negated, ctx);
    case 'like':
      return like(expr, expr.negated !== negated, ctx);
    case 'literal':
      return local('a constant condition is evaluated locally');
    default:
      return local(`${describe(expr)} is evaluated locally`);
  }
}

function describe(expr: Expr): string {
  switch (expr.kind) {
    case 'function': return `${expr.name}()`;
    case 'inQuery': return 'IN (subquery)';
    case 'exists': return 'EXISTS (subquery)';
    case 'case': return 'CASE';
    case 'cast': return 'CAST';
    default: return `a ${expr.kind} expression`;
  }
}

/** the scan's own, filterable column, or not pushable */
/** `nullTest`: the column is only tested for NULL, which every filterable column may be */
function columnOf(expr: Expr, ctx: Context, nullTest = false): Column {
  if (expr.kind !== 'column' || expr.scanId !== ctx.scanId || !expr.column) {
    return local(expr.kind === 'column' ? `column ${expr.name} belongs to another table` : `${describe(expr)} is computed locally`);
  }
  return filterable(expr, ctx, nullTest);
}

function filterable(ref: ColumnRef, ctx: Context, nullTest = false): Column {
  const column = ref.column!;
  const path = ctx.namePaths?.get(column);
  if (path) return path;
  if (column.kind === 'lookupName' || column.kind === 'choiceLabel' || column.kind === 'lookupType') {
    return local(`${column.name} is a display value (an annotation), which the service cannot filter on`);
  }
  if (column.edmType === 'Edm.Binary') return local(`${column.name} is binary`);
  const refused = nullTest ? undefined : ctx.valueRefusal?.(column);
  if (refused) return local(refused);
  return column;
}

function target(column: Column): LiteralTarget {
  return column.enumType ? { edmType: column.edmType, enumType: column.enumType } : { edmType: column.edmType };
}

function comparison(left: Expr, op: CompareOp, right: Expr, negated: boolean, ctx: Context): ODataFilter {
  const { column: columnSide, op: finalOp, value: valueSide } = columnFirst(left, negated ? NEGATE[op] : op, right);
  const fiscal = fiscalYearBounds(columnSide, finalOp, valueSide, ctx.params);
  if (fiscal) {
    const column = columnOf(fiscal.date, ctx);
    const parts: ODataFilter[] = fiscal.bounds.map((b) => ({ kind: 'compare', op: b.op, property: column.odataName, value: checkedValue(column, b.value, ctx), target: target(column) }));
    return fiscal.or ? orAll(parts) : andAll(parts)!;
  }
  if (valueSide.kind === 'column') return propertyComparison(columnSide, finalOp, valueSide, ctx);
  const display = displayColumn(columnSide, ctx);
  if (display) {
    if (finalOp !== 'eq' && finalOp !== 'ne') return local(`${display.name} is compared by its label only for equality; evaluated locally`);
    const constant = constantValue(valueSide, ctx.params);
    if (!constant) return local(`${describe(valueSide)} on the right of a comparison is computed locally`);
    if (constant.value === null) return local('a comparison with NULL is never true; evaluated locally');
    return displayMembership(display, [constant.value], finalOp === 'ne', ctx);
  }
  const column = columnOf(columnSide, ctx);
  const constant = constantValue(valueSide, ctx.params);
  if (!constant) return local(`${describe(valueSide)} on the right of a comparison is computed locally`);
  const value = constant.value;
  if (value === null) return local('a comparison with NULL is never true; evaluated locally');
  if (column.enumType && !ctx.facts.enumOperators.includes(finalOp)) return local(`enum ${column.name} supports only ${ctx.facts.enumOperators.join(', ')} on the service`);
  const checked = checkedValue(column, value, ctx);
  const compare: ODataFilter = { kind: 'compare', op: finalOp, property: column.odataName, value: checked, target: target(column) };
  // OData `ne` is also true for null; SQL `<>` is not
  if (finalOp === 'ne') return andAll([compare, { kind: 'compare', op: 'ne', property: column.odataName, value: null, target: target(column) }])!;
  return compare;
}

/**
 * The value to send for a comparison with `column`, validated before it reaches the URL, or the
 * reason the comparison stays local. Each rule keeps the service's answer equal to T-SQL's:
 * - a non-GUID for a GUID column is a type error (as SQL Server's conversion error);
 * - a number is compared numerically: a fraction against an integer column, or a number beyond the
 *   column's type (`numberofemployees > 3000000000`), stays local (OData would refuse the literal);
 *   a number no float can hold (`1e309`) is refused, as T-SQL refuses it;
 * - strings: T-SQL ignores trailing blanks ('US-001 ' = 'US-001'), and so does the service's SQL
 *   Server collation, so they are trimmed; on F&O a `*` anywhere in the value is a wildcard, in `eq`
 *   and `ne` alike, so such a value stays local whatever the operator;
 * - F&O enums compare as their member names: case-insensitively and without trailing blanks
 *   (`'yes'` → `NoYes'Yes'`); a value that is no member equals no row and stays local.
 */
function checkedValue(column: Column, value: ConstantValue, ctx: Context): ConstantValue {
  if (INTEGER_TYPES.has(column.edmType)) return integerValue(column, value);
  if (column.edmType === 'Edm.Boolean') return value; // checked as it is written
  if (column.edmType === 'Edm.String') {
    // T-SQL converts the text to the instant's type for the comparison, which the service cannot do
    if (value instanceof Date) return local(`${column.name} (text) compared with an instant; evaluated locally`);
    return stringValue(String(value), ctx);
  }
  if (column.edmType === 'Edm.Date' && value instanceof Date) return dateOnlyInstant(column.name, value);
  if (column.enumType) return enumMember(column, value);
  try {
    odataLiteral(value, target(column));
  } catch (error) {
    if (DynasqlError.is(error, 'DYNASQL_ERR_TYPE')) {
      throw new DynasqlError('DYNASQL_ERR_TYPE', `Cannot compare ${column.name} (${column.sqlType.name}) with ${typeof value === 'string' ? `'${value}'` : String(value)}`);
    }
    if (DynasqlError.is(error, 'DYNASQL_ERR_OVERFLOW') && Number.isFinite(Number(value))) {
      return local(`${String(value)} is beyond the range of ${column.name} (${column.sqlType.name}); compared locally`);
    }
    throw error;
  }
  return value;
}

function integerValue(column: Column, value: ConstantValue): ConstantValue {
  if (typeof value === 'string' && !/^\s*[+-]?\d+(\.\d*)?\s*$/.test(value)) {
    // `1e3` is a float in T-SQL: compared numerically (locally), and `1e309` is no float at all
    if (/^\s*[+-]?(\d+\.?\d*|\.\d+)e[+-]?\d+\s*$/i.test(value)) {
      if (!Number.isFinite(Number(value))) throw new DynasqlError('DYNASQL_ERR_OVERFLOW', `The number ${value.trim()} is out of the range of float`);
      return local(`${column.name} compared with the float ${value.trim()}; evaluated locally`);
    }
    throw new DynasqlError('DYNASQL_ERR_TYPE', `Cannot compare ${column.name} (${column.sqlType.name}) with '${value}'`);
  }
  const n = Number(value);
  if (!Number.isInteger(n)) return local(`${column.name} is a whole number compared with a fraction; evaluated locally`);
  const whole = typeof value === 'bigint' ? value : String(value).trim().replace(/\.0*$/, '');
  try {
    odataLiteral(whole, target(column));
  } catch (error) {
    if (DynasqlError.is(error, 'DYNASQL_ERR_OVERFLOW')) return local(`${String(whole)} is beyond the range of ${column.name} (${column.sqlType.name}); compared locally`);
    throw error;
  }
  return whole;
}

/** T-SQL pads the shorter string with blanks before comparing: trailing blanks never matter */
function withoutTrailingBlanks(text: string): string {
  return text.replace(/ +$/, '');
}

function stringValue(text: string, ctx: Context): string {
  if (ctx.facts.likeStyle === 'wildcard-eq' && text.includes('*')) return local(`'*' in '${text}' would be a wildcard on the service; compared locally`);
  return withoutTrailingBlanks(text);
}

function enumMember(column: Column, value: ConstantValue): string {
  const wanted = withoutTrailingBlanks(String(value)).toLowerCase();
  const member = column.options?.find((o) => String(o.value).toLowerCase() === wanted);
  if (!member) return local(`'${String(value)}' is no member of ${column.enumType}, so it equals no ${column.name}; compared locally`);
  return String(member.value);
}

function propertyComparison(left: Expr, op: CompareOp, right: Expr, ctx: Context): ODataFilter {
  const a = columnOf(left, ctx);
  const b = columnOf(right, ctx);
  // the service compares two properties of the same row only, not a property reached through a lookup
  if (a.odataName.includes('/') || b.odataName.includes('/')) return local(`${a.name} and ${b.name}: a name through a lookup is compared with another column locally`);
  if (a.edmType !== b.edmType) return local(`${a.name} and ${b.name} have different types`);
  // F&O refuses `Status le Status` as it refuses `Status le NoYes'Yes'`; T-SQL compares the member names
  const enumColumn = [a, b].find((c) => c.enumType);
  if (enumColumn && !ctx.facts.enumOperators.includes(op)) return local(`enum ${enumColumn.name} supports only ${ctx.facts.enumOperators.join(', ')} on the service`);
  const notNull = (c: Column): ODataFilter => ({ kind: 'compare', op: 'ne', property: c.odataName, value: null, target: target(c) });
  const compare: ODataFilter = { kind: 'compareProperties', op, property: a.odataName, other: b.odataName };
  // OData: null eq null is true, null ne 1 is true; SQL: both unknown
  if (op === 'eq') return andAll([compare, notNull(a)])!;
  if (op === 'ne') return andAll([compare, notNull(a), notNull(b)])!;
  return compare;
}

function inList(left: Expr, list: Expr[], negated: boolean, ctx: Context): ODataFilter {
  const display = displayColumn(left, ctx);
  if (display) return displayMembership(display, inListValues(list, negated, ctx.params), negated, ctx);
  const column = columnOf(left, ctx);
  const nonNull = inListValues(list, negated, ctx.params);
  const checked = nonNull.map((v) => checkedValue(column, v, ctx));
  if (negated) {
    return andAll([
      ...checked.map((v): ODataFilter => ({ kind: 'compare', op: 'ne', property: column.odataName, value: v, target: target(column) })),
      { kind: 'compare', op: 'ne', property: column.odataName, value: null, target: target(column) },
    ])!;
  }
  // JSON escapes other than \" and \\ inside PropertyValues are undocumented: control characters go as an or chain
  const plainJson = checked.every((v) => typeof v !== 'string' || !/[\u0000-\u001f]/.test(v));
  return anyOf(column, checked, plainJson, ctx);
}

/** `column` equal to one of `values`: one `Microsoft.Dynamics.CRM.In` where the service takes it, else an `or` chain */
function anyOf(column: Column, values: ConstantValue[], plainJson: boolean, ctx: Context): ODataFilter {
  // In names a property of the row itself: a path through a lookup goes as an `or` chain
  const ownProperty = column.kind === 'data' && !column.odataName.includes('/');
  if (values.length > 1 && ctx.facts.inStyle === 'crm-in-function' && ownProperty && !column.enumType && plainJson) {
    return { kind: 'crmIn', property: column.odataName, values, target: target(column) };
  }
  return orAll(values.map((v): ODataFilter => ({ kind: 'compare', op: 'eq', property: column.odataName, value: v, target: target(column) })));
}

type PatternPart = { kind: 'text'; text: string } | { kind: 'any' } | { kind: 'one' } | { kind: 'set' };

/** `'ab[%]c%'` with escape → parts; brackets are SQL Server character classes */
function patternParts(pattern: string, escape: string | undefined): PatternPart[] {
  const parts: PatternPart[] = [];
  const pushText = (ch: string) => {
    const last = parts[parts.length - 1];
    if (last?.kind === 'text') last.text += ch;
    else parts.push({ kind: 'text', text: ch });
  };
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i]!;
    if (escape !== undefined && ch === escape && i + 1 < pattern.length) {
      pushText(pattern[++i]!);
    } else if (ch === '%') {
      if (parts[parts.length - 1]?.kind !== 'any') parts.push({ kind: 'any' });
    } else if (ch === '_') {
      parts.push({ kind: 'one' });
    } else if (ch === '[') {
      parts.push({ kind: 'set' });
      const close = pattern.indexOf(']', i + 1);
      i = close < 0 ? pattern.length : close;
    } else {
      pushText(ch);
    }
  }
  return parts;
}

function hasWildcard(text: string, chars: string): boolean {
  return [...chars].some((c) => text.includes(c));
}

function like(expr: Extract<Expr, { kind: 'like' }>, negated: boolean, ctx: Context): ODataFilter {
  const column = columnOf(expr.expr, ctx);
  if (column.edmType !== 'Edm.String') return local(`LIKE on ${column.name} (not a string) is evaluated locally`);
  const pattern = constantValue(expr.pattern, ctx.params);
  if (!pattern || typeof pattern.value !== 'string') return local('LIKE with a computed pattern is evaluated locally');
  let escape: string | undefined;
  if (expr.escape) {
    const e = constantValue(expr.escape, ctx.params);
    if (!e || typeof e.value !== 'string' || e.value.length !== 1) throw new DynasqlError('DYNASQL_ERR_SYNTAX', 'ESCAPE needs a single character');
    escape = e.value;
  }
  const parts = patternParts(pattern.value, escape);
  const kinds = parts.map((p) => p.kind).join(',');
  const text = parts.find((p) => p.kind === 'text') as { kind: 'text'; text: string } | undefined;
  const notNull: ODataFilter = { kind: 'compare', op: 'ne', property: column.odataName, value: null, target: target(column) };
  if (kinds === 'any') return negated ? local("NOT LIKE '%' is never true; evaluated locally") : notNull;
  const fn = kinds === 'text' ? 'eq' : kinds === 'text,any' ? 'startswith' : kinds === 'any,text' ? 'endswith' : kinds === 'any,text,any' ? 'contains' : undefined;
  if (!fn || !text) return local(`LIKE '${pattern.value}' has a shape the service cannot match exactly`);
  const wildcards = wildcardChars(ctx.facts);
  if (hasWildcard(text.text, wildcards)) {
    return local(`LIKE '${pattern.value}': the service would read ${[...wildcards].filter((c) => text.text.includes(c)).map((c) => `'${c}'`).join(', ')} in the value as a wildcard`);
  }
  let positive: ODataFilter;
  if (fn === 'eq') {
    // `eq` ignores trailing blanks (SQL Server pads before comparing) but LIKE on nvarchar does not:
    // 'Seattle ' = 'seattle' is true, 'Seattle ' LIKE 'seattle' is false. The equality picks the
    // value case-insensitively; the suffix match keeps only those that end exactly as the pattern does.
    const ending: ODataFilter = ctx.facts.likeStyle === 'wildcard-eq'
      ? { kind: 'compare', op: 'eq', property: column.odataName, value: `*${text.text}`, target: target(column) }
      : { kind: 'stringFunction', fn: 'endswith', property: column.odataName, value: text.text };
    positive = andAll([{ kind: 'compare', op: 'eq', property: column.odataName, value: text.text, target: target(column) }, ending])!;
  } else if (ctx.facts.likeStyle === 'wildcard-eq') {
    const value = fn === 'startswith' ? `${text.text}*` : fn === 'endswith' ? `*${text.text}` : `*${text.text}*`;
    positive = { kind: 'compare', op: 'eq', property: column.odataName, value, target: target(column) };
  } else {
    positive = { kind: 'stringFunction', fn, property: column.odataName, value: text.text };
  }
  if (!negated) return positive;
  // NOT LIKE excludes nulls in SQL; `not startswith(null,…)` must not let them through
  return andAll([{ kind: 'not', item: positive }, notNull])!;
}

/** T-SQL's equality of two texts under the service's collation: case-insensitive, trailing blanks ignored */
function sameText(a: string, b: string): boolean {
  return withoutTrailingBlanks(a).toLowerCase() === withoutTrailingBlanks(b).toLowerCase();
}

/**
 * A condition no row meets. OData 4.0's grammar takes a boolean literal as a whole `$filter`; the
 * Dataverse docs show no example of one (unverified on the service; the emulator answers it as the
 * grammar says: no rows).
 */
const NO_ROW: ODataFilter = { kind: 'constant', value: false };

/**
 * A choice label or a lookup's type read from this scan: the values it can show, each with the
 * condition that shows it. The labels are the metadata's (the option set), not those seen in rows.
 */
type DisplayDomain =
  | { kind: 'choice'; name: string; source: Column; options: readonly { value: number; label: string }[] }
  | { kind: 'type'; name: string; lookup: Column; targets: LookupTarget[] };

function displayColumn(expr: Expr, ctx: Context): DisplayDomain | undefined {
  if (expr.kind !== 'column' || expr.scanId !== ctx.scanId || !expr.column) return undefined;
  const column = expr.column;
  if (column.kind === 'lookupType') {
    const targets = column.lookupTargets ?? [];
    const lookup = ctx.scan?.table.columns.find((c) => c.kind === 'lookup' && c.name === column.sourceColumn);
    if (!lookup || targets.length === 0) return local(`${column.name}: the lookup's targets are not known; evaluated locally`);
    return { kind: 'type', name: column.name, lookup, targets };
  }
  if (column.kind !== 'choiceLabel') return undefined;
  const source = ctx.scan?.table.columns.find((c) => c.kind === 'data' && c.name === column.sourceColumn);
  const yesNo = source?.edmType === 'Edm.Boolean';
  if (!ctx.scan || !source || !(INTEGER_TYPES.has(source.edmType) || yesNo)) return local(`${column.name} is a display value (an annotation), which the service cannot filter on`);
  const options = ctx.scan.metadata.choiceOptions(ctx.scan.table.name, source.name, yesNo);
  if (!options) return local(`the labels of ${source.name} are not known from the service's metadata; ${column.name} is compared locally`);
  return { kind: 'choice', name: column.name, source, options };
}

function displayIsNull(domain: DisplayDomain, isNull: boolean): ODataFilter {
  const column = domain.kind === 'choice' ? domain.source : domain.lookup;
  return { kind: 'compare', op: isNull ? 'eq' : 'ne', property: column.odataName, value: null, target: target(column) };
}

/**
 * `label IN (…)` (or `NOT IN`, `=`, `<>`) as the values that show one of the texts: a choice's
 * option values (`industrycode eq 1`), a lookup's target types (`parentcustomerid_contact/contactid
 * ne null`). A text no value shows matches no row (`false`); `<>` and NOT IN keep only rows that
 * show something, as SQL's comparison with a null label is not true.
 */
function displayMembership(domain: DisplayDomain, values: ConstantValue[], negated: boolean, ctx: Context): ODataFilter {
  const texts = values.map((v) => (typeof v === 'string' ? v : local(`${domain.name} is text; compared with ${String(v)} locally (T-SQL converts)`)));
  const shown = (text: string) => texts.some((t) => sameText(t, text));
  if (domain.kind === 'choice') {
    const source = domain.source;
    const found = [...new Set(domain.options.filter((o) => shown(o.label)).map((o) => o.value))];
    // a yes/no column's options stand for true (1) and false (0)
    const codes = source.edmType === 'Edm.Boolean' ? found.map((code) => code === 1) : found;
    if (negated) {
      const notNull: ODataFilter = { kind: 'compare', op: 'ne', property: source.odataName, value: null, target: target(source) };
      return andAll([...codes.map((code): ODataFilter => ({ kind: 'compare', op: 'ne', property: source.odataName, value: code, target: target(source) })), notNull])!;
    }
    if (codes.length === 0) return NO_ROW;
    return source.edmType === 'Edm.Boolean'
      ? orAll(codes.map((code): ODataFilter => ({ kind: 'compare', op: 'eq', property: source.odataName, value: code, target: target(source) })))
      : anyOf(source, codes, true, ctx);
  }
  // a polymorphic lookup is of a type when that type's navigation leads to a record
  const targets = domain.targets.filter((t) => shown(t.table) !== negated);
  if (targets.length === 0) return NO_ROW;
  return orAll(targets.map((t): ODataFilter => ({ kind: 'compare', op: 'ne', property: `${t.navigation}/${t.referencedProperty}`, value: null, target: { edmType: 'Edm.Guid' } })));
}

/** the lookup-name column an atomic condition reads (and is not already reading through one target's path) */
function lookupNameSubject(expr: Expr, ctx: Context): Column | undefined {
  let operands: Expr[];
  switch (expr.kind) {
    case 'binary': operands = expr.op === 'AND' || expr.op === 'OR' ? [] : [expr.left, expr.right]; break;
    case 'isNull': case 'between': case 'inList': case 'like': operands = [expr.expr]; break;
    default: operands = [];
  }
  for (const operand of operands) {
    if (operand.kind === 'column' && operand.scanId === ctx.scanId && operand.column?.kind === 'lookupName' && !ctx.namePaths?.has(operand.column)) return operand.column;
  }
  return undefined;
}

/**
 * A condition on a lookup's name, read through each target's navigation and primary name
 * (`primarycontactid/fullname`). A path is null unless the lookup points at that target, so a
 * condition that is not true of a null name holds of the lookup's name exactly when it holds of one
 * path (`or` per target), and IS NULL when it holds of every path (`and`).
 */
function throughNamePaths(expr: Expr, negated: boolean, column: Column, ctx: Context): ODataFilter {
  const targets = column.lookupTargets ?? [];
  if (!ctx.scan || targets.length === 0) return local(`${column.name} is a display value (an annotation), which the service cannot filter on`);
  // `ownerid` leads to systemuser and team through one navigation typed as their base: no one primary name
  if (new Set(targets.map((t) => t.navigation)).size !== targets.length) return local(`${column.name}: the lookup's targets share one navigation property; compared locally`);
  // every target's name asked for before any is missing, so the connection loads them all at once
  const primaries = targets.map((t) => ctx.scan!.metadata.primaryName(t.table));
  const paths = targets.map((t, i): Column => {
    const primary = primaries[i];
    if (!primary) return local(`the primary name of ${t.table} is not known from the service's metadata; ${column.name} is compared locally`);
    return { ...column, kind: 'data', odataName: `${t.navigation}/${primary}`, edmType: 'Edm.String' };
  });
  const parts = paths.map((path) => translate(expr, negated, { ...ctx, namePaths: new Map(ctx.namePaths).set(column, path) }));
  const isNullTest = expr.kind === 'isNull' && expr.negated === negated;
  return isNullTest ? andAll(parts)! : orAll(parts);
}
