/**
 * One WHERE / ON conjunct → FetchXML `<condition>`s that are true exactly when the SQL condition is
 * TRUE, or the reason it cannot be. The rules mirror the OData ones (filter.ts) with FetchXML's own
 * operators (FetchXML doc §1.2):
 * - `ne` (and every negated operator) also matches nulls, so `x <> 1` is `ne` plus `not-null`;
 * - `NOT` is pushed inward, flipping each operator (`NOT x < 1` → `ge`);
 * - LIKE goes as `like` with the SQL pattern itself (the service takes SQL wildcards, `[…]` sets
 *   included); an ESCAPE character becomes a one-character set (`a!%` ESCAPE '!' → `a[%]`);
 * - IN is `in` with `<value>`s, BETWEEN is `between` (numbers and dates) or `ge` and `le`;
 * - display values (lookup names, choice labels) and binary columns stay local.
 *
 * `name LIKE 'Con%' AND revenue <> 5` →
 * `<condition attribute="name" operator="like" value="Con%"/>`, `<condition attribute="revenue" operator="ne" value="5"/>`,
 * `<condition attribute="revenue" operator="not-null"/>`.
 */
import type { Column } from '../catalog/types.js';
import { DynasqlError } from '../errors/index.js';
import { element, type XmlElement } from '../fetchxml/index.js';
import type { CompareOp } from '../odata/index.js';
import { CURRENT_USER_ID, SERVICE_PREDICATES, type Expr } from '../plan/index.js';
import { columnFirst, dateOnlyInstant, fiscalYearBounds, inListValues, local, NEGATE, NotPushable, SQL_COMPARE_OPS } from './filter-common.js';
import { constantValue, type ConstantValue, type ParamValues } from './values.js';

export type FetchTranslation = { ok: true; conditions: XmlElement[] } | { ok: false; reason: string };

export interface FetchFilterContext {
  /** the scan whose columns the conditions test */
  scanId: number;
  params: ParamValues;
  /** why a condition on the column's value stays local although the column is filterable (a multi-select choice: column-kinds.ts) */
  valueRefusal?: (column: Column) => string | undefined;
}


/** the conditions (ANDed) for one conjunct, or why it stays local */
export function translateFetchConjunct(expr: Expr, ctx: FetchFilterContext): FetchTranslation {
  try {
    return { ok: true, conditions: translate(expr, false, ctx) };
  } catch (error) {
    if (error instanceof NotPushable) return { ok: false, reason: error.reason };
    throw error;
  }
}

/** the FetchXML attribute name of a column: its logical name (`_parentcustomerid_value` → `parentcustomerid`) */
export function logicalName(column: Column): string {
  if (column.kind === 'data') return column.odataName;
  if (column.kind === 'lookup') return column.name;
  return column.sourceColumn ?? column.name;
}

const INTEGER_RANGES: Record<string, [bigint, bigint]> = {
  'Edm.Byte': [0n, 255n], 'Edm.SByte': [-128n, 127n], 'Edm.Int16': [-32768n, 32767n],
  'Edm.Int32': [-2147483648n, 2147483647n], 'Edm.Int64': [-9223372036854775808n, 9223372036854775807n],
};
const INTEGER_TYPES = new Set(Object.keys(INTEGER_RANGES));
const NUMBER_TYPES = new Set([...INTEGER_TYPES, 'Edm.Decimal', 'Edm.Double', 'Edm.Single']);
const DATE_TYPES = new Set(['Edm.DateTimeOffset', 'Edm.Date']);


function condition(column: Column, operator: string, value?: string, values?: string[]): XmlElement {
  return element('condition', { attribute: logicalName(column), operator, value }, (values ?? []).map((v) => element('value', {}, [], v)));
}

const notNull = (column: Column) => condition(column, 'not-null');

function filter(type: 'and' | 'or', parts: XmlElement[][]): XmlElement[] {
  if (type === 'and') return parts.flat();
  return [element('filter', { type: 'or' }, parts.map((p) => (p.length === 1 ? p[0]! : element('filter', { type: 'and' }, p))))];
}

function translate(expr: Expr, negated: boolean, ctx: FetchFilterContext): XmlElement[] {
  switch (expr.kind) {
    case 'binary': {
      if (expr.op === 'AND' || expr.op === 'OR') {
        const isAnd = (expr.op === 'AND') !== negated;
        return filter(isAnd ? 'and' : 'or', [translate(expr.left, negated, ctx), translate(expr.right, negated, ctx)]);
      }
      const op = SQL_COMPARE_OPS[expr.op];
      if (!op) return local(`operator ${expr.op} is computed locally`);
      return comparison(expr.left, negated ? NEGATE[op] : op, expr.right, ctx);
    }
    case 'unary':
      if (expr.op === 'NOT') return translate(expr.operand, !negated, ctx);
      return local('arithmetic is computed locally');
    case 'isNull': {
      const column = columnOf(expr.expr, ctx, true);
      return [condition(column, expr.negated !== negated ? 'not-null' : 'null')];
    }
    case 'between': return between(expr, expr.negated !== negated, ctx);
    case 'inList': return inList(expr.expr, expr.list, expr.negated !== negated, ctx);
    case 'like': return like(expr, expr.negated !== negated, ctx);
    case 'function': if (SERVICE_PREDICATES[expr.name]) return servicePredicate(expr, negated, ctx);
      return local(`${expr.name}() is evaluated locally`);
    default: return local(`a ${expr.kind} expression is evaluated locally`);
  }
}

/** `nullTest`: the column is only tested for NULL, which every filterable column may be */
function columnOf(expr: Expr, ctx: FetchFilterContext, nullTest = false): Column {
  if (expr.kind !== 'column' || expr.scanId !== ctx.scanId || !expr.column) {
    return local(expr.kind === 'column' ? `column ${expr.name} belongs to another table` : `a ${expr.kind} expression is computed locally`);
  }
  const column = expr.column;
  if (column.kind !== 'data' && column.kind !== 'lookup') return local(`${column.name} is a display value, which FetchXML cannot filter on`);
  if (column.enumType || !(NUMBER_TYPES.has(column.edmType) || DATE_TYPES.has(column.edmType) || ['Edm.String', 'Edm.Guid', 'Edm.Boolean'].includes(column.edmType))) {
    return local(`${column.name} (${column.edmType}) is compared locally`);
  }
  const refused = nullTest ? undefined : ctx.valueRefusal?.(column);
  if (refused) return local(refused);
  return column;
}

/**
 * The text of a constant compared with `column`, or the reason it stays local: the value must be
 * of the column's kind as written (a fraction against a whole number, or text against a number,
 * converts in T-SQL and is compared locally).
 */
function valueText(column: Column, value: ConstantValue): string {
  if (value === null) return local('a comparison with NULL is never true; evaluated locally');
  const text = value instanceof Date ? value.toISOString() : typeof value === 'boolean' ? (value ? '1' : '0') : String(value);
  const type = column.edmType;
  if (INTEGER_TYPES.has(type)) {
    if (typeof value === 'boolean' || !/^\s*[+-]?\d+(\.0*)?\s*$/.test(text)) return local(`${column.name} is a whole number compared with '${text}'; evaluated locally`);
    const whole = text.trim().replace(/^\+/, '').replace(/\.0*$/, '');
    const [low, high] = INTEGER_RANGES[type]!;
    // beyond the column's type the service would refuse the value; T-SQL compares it (widened) locally
    if (BigInt(whole) < low || BigInt(whole) > high) return local(`${whole} is beyond the range of ${column.name}; compared locally`);
    return whole;
  }
  if (NUMBER_TYPES.has(type)) {
    if (typeof value === 'boolean' || !/^\s*[+-]?(\d+\.?\d*|\.\d+)\s*$/.test(text)) return local(`${column.name} compared with '${text}'; evaluated locally`);
    return text.trim();
  }
  if (type === 'Edm.Boolean') {
    if (text === '1' || text === '0') return text;
    return local(`${column.name} (bit) compared with '${text}'; evaluated locally`);
  }
  if (type === 'Edm.Guid') {
    if (typeof value !== 'string' || !/^\s*\{?[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\}?\s*$/i.test(value)) {
      throw new DynasqlError('DYNASQL_ERR_TYPE', `Cannot compare ${column.name} (uniqueidentifier) with '${text}'`);
    }
    return value.trim();
  }
  if (DATE_TYPES.has(type)) {
    if (value instanceof Date) return type === 'Edm.Date' ? dateOnlyInstant(column.name, value).toISOString().slice(0, 10) : text;
    const match = typeof value === 'string' ? /^(\d{4}-\d{2}-\d{2})(T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,7})?)?)?(Z|[+-]\d{2}:\d{2})?$/.exec(value.trim()) : null;
    if (match && type === 'Edm.Date' && !match[2]) return match[1]!;
    // a date and time without a zone is UTC here, as it is to OData; the service would read it in the user's zone
    if (match && type !== 'Edm.Date') return `${match[1]}${match[2] ?? 'T00:00:00'}${match[3] ?? 'Z'}`;
    return local(`${column.name} compared with '${text}', which is no ISO date; evaluated locally`);
  }
  // Edm.String: text only (T-SQL would convert the column to a number for a number)
  if (typeof value !== 'string') return local(`${column.name} (text) compared with ${text}; evaluated locally`);
  return value;
}

function comparison(left: Expr, op: CompareOp, right: Expr, ctx: FetchFilterContext): XmlElement[] {
  const { column: columnSide, op: finalOp, value: valueSide } = columnFirst(left, op, right);
  const fiscal = fiscalYearBounds(columnSide, finalOp, valueSide, ctx.params);
  if (fiscal) {
    const column = columnOf(fiscal.date, ctx);
    if (!DATE_TYPES.has(column.edmType)) return local(`FISCAL_YEAR() of ${column.name} is computed locally`);
    const parts = fiscal.bounds.map((b) => [condition(column, b.op, valueText(column, b.value))]);
    return fiscal.or ? filter('or', parts) : parts.flat();
  }
  if (valueSide.kind === 'column') return columnComparison(columnSide, finalOp, valueSide, ctx);
  if (valueSide.kind === 'function' && valueSide.name === CURRENT_USER_ID) return currentUser(columnSide, finalOp, ctx);
  const column = columnOf(columnSide, ctx);
  const constant = constantValue(valueSide, ctx.params);
  if (!constant) return local(`a ${valueSide.kind} expression on the right of a comparison is computed locally`);
  if (column.edmType === 'Edm.Boolean' && finalOp !== 'eq' && finalOp !== 'ne') return local(`${column.name} (bit) is ordered locally`);
  const compare = condition(column, finalOp, valueText(column, constant.value));
  // FetchXML `ne` is also true for null; SQL `<>` is not
  return finalOp === 'ne' ? [compare, notNull(column)] : [compare];
}

/**
 * `ownerid = CURRENT_USER_ID()` → `eq-userid`; `<>` → `ne-userid` and not null (as `ne`, it would
 * also match nulls). FetchXML doc §1.2: the operators take no value.
 */
function currentUser(left: Expr, op: CompareOp, ctx: FetchFilterContext): XmlElement[] {
  const column = columnOf(left, ctx);
  if (column.edmType !== 'Edm.Guid') return local(`${column.name} is no id to compare with ${CURRENT_USER_ID}()`);
  if (op === 'eq') return [condition(column, 'eq-userid')];
  if (op === 'ne') return [condition(column, 'ne-userid'), notNull(column)];
  return local(`${CURRENT_USER_ID}() is compared with = or <> only`);
}

/**
 * `UNDER(accountid, '…')`, `LAST_X_DAYS(createdon, 7)`, `THIS_MONTH(createdon)`: the FetchXML
 * operator itself, on a column of the scan. Under NOT, only where the complement is exact whatever
 * the service's reading of `not-under` (negatedHierarchy).
 */
function servicePredicate(call: Extract<Expr, { kind: 'function' }>, negated: boolean, ctx: FetchFilterContext): XmlElement[] {
  const predicate = SERVICE_PREDICATES[call.name]!;
  const { operator } = predicate;
  if (negated && predicate.value !== 'id') {
    // the period's bounds are the service's (the user's time zone and calendar), so no absolute dates
    // can stand for them; and no pair of operators is documented to meet (does `olderthan-x-days`
    // start where `last-x-days` ends, at midnight or at this instant?)
    return local(`NOT ${call.name}() has no exact FetchXML form: FetchXML has no NOT, and no operator is documented to keep exactly the dates outside ${operator}`);
  }
  const column = columnOf(call.args[0]!, ctx);
  if (predicate.value === 'none') {
    if (!DATE_TYPES.has(column.edmType)) throw new DynasqlError('DYNASQL_ERR_TYPE', `${call.name}() takes a date column, not ${column.name}`);
    return [condition(column, operator)];
  }
  const argument = constantValue(call.args[1]!, ctx.params);
  if (!argument || argument.value === null) throw new DynasqlError('DYNASQL_ERR_UNSUPPORTED_SQL', `Unsupported SQL: ${call.name}() takes a constant as its second argument`);
  if (predicate.value === 'id') {
    if (!column.isPrimaryKey) throw new DynasqlError('DYNASQL_ERR_TYPE', `${call.name}() takes the table's key column (the hierarchy is of its rows), not ${column.name}`);
    const id = valueText(column, argument.value);
    return negated ? negatedHierarchy(call.name, operator, column, id) : [condition(column, operator, id)];
  }
  const text = String(argument.value).trim();
  if (!DATE_TYPES.has(column.edmType)) throw new DynasqlError('DYNASQL_ERR_TYPE', `${call.name}() takes a date column, not ${column.name}`);
  const what = predicate.value === 'periodAndYear' ? 'a period number and a year' : 'a whole number of units';
  if (!/^\d+$/.test(text)) throw new DynasqlError('DYNASQL_ERR_TYPE', `${call.name}() takes ${what}, not '${text}'`);
  if (predicate.value !== 'periodAndYear') return [condition(column, operator, text)];
  // the period, then the year, as two <value>s (FetchXML doc §1.2)
  const year = constantValue(call.args[2]!, ctx.params);
  const yearText = year && year.value !== null ? String(year.value).trim() : '';
  if (!/^\d+$/.test(yearText)) throw new DynasqlError('DYNASQL_ERR_TYPE', `${call.name}() takes ${what}, not '${yearText}'`);
  return [condition(column, operator, undefined, [text, yearText])];
}

/**
 * NOT of a hierarchy predicate. The docs do not say whether `not-under` keeps the record itself,
 * so it is used only where either reading gives the same rows (the key is never null):
 *
 *   NOT UNDER(a, X)       → not-under X, or a = X   (the record and every row not below it)
 *   NOT EQ_OR_UNDER(a, X) → not-under X, and a ≠ X  (every row neither X nor below it)
 *
 * NOT NOT_UNDER would be `under` or `eq-or-under` depending on that reading, and FetchXML has no
 * `not-above`: those stay refused.
 */
function negatedHierarchy(name: string, operator: string, column: Column, id: string): XmlElement[] {
  if (operator === 'under') return filter('or', [[condition(column, 'not-under', id)], [condition(column, 'eq', id)]]);
  if (operator === 'eq-or-under') return [condition(column, 'not-under', id), condition(column, 'ne', id)];
  if (operator === 'not-under') return local(`NOT ${name}() has no exact FetchXML form: the docs do not say whether not-under keeps the record itself, so its complement is under or eq-or-under`);
  return local(`NOT ${name}() has no exact FetchXML form: FetchXML has no NOT and no not-above operator`);
}

/** `a = b` on two columns of the scan: `valueof`, with both sides not null (null = null is not TRUE in SQL) */
function columnComparison(left: Expr, op: CompareOp, right: Expr, ctx: FetchFilterContext): XmlElement[] {
  const a = columnOf(left, ctx);
  const b = columnOf(right, ctx);
  if (a.edmType !== b.edmType) return local(`${a.name} and ${b.name} have different types`);
  return [element('condition', { attribute: logicalName(a), operator: op, valueof: logicalName(b) }), notNull(a), notNull(b)];
}

/**
 * `x BETWEEN a AND b` on a number or date column with constant bounds is `between` with two
 * `<value>`s (FetchXML doc §1.2: numbers and dates); NOT BETWEEN is `not-between` and not null.
 * Otherwise (text, a computed bound) it is the two comparisons.
 */
function between(expr: Extract<Expr, { kind: 'between' }>, isNot: boolean, ctx: FetchFilterContext): XmlElement[] {
  const low = constantValue(expr.low, ctx.params);
  const high = constantValue(expr.high, ctx.params);
  if (expr.expr.kind === 'column' && low && high && low.value !== null && high.value !== null) {
    const column = columnOf(expr.expr, ctx);
    if (NUMBER_TYPES.has(column.edmType) || DATE_TYPES.has(column.edmType)) {
      const bounds = [valueText(column, low.value), valueText(column, high.value)];
      return isNot ? [condition(column, 'not-between', undefined, bounds), notNull(column)] : [condition(column, 'between', undefined, bounds)];
    }
  }
  const lower = comparison(expr.expr, isNot ? 'lt' : 'ge', expr.low, ctx);
  const upper = comparison(expr.expr, isNot ? 'gt' : 'le', expr.high, ctx);
  return filter(isNot ? 'or' : 'and', [lower, upper]);
}

function inList(left: Expr, list: Expr[], negated: boolean, ctx: FetchFilterContext): XmlElement[] {
  const column = columnOf(left, ctx);
  const nonNull = inListValues(list, negated, ctx.params);
  const texts = nonNull.map((v) => valueText(column, v));
  // the service takes at most 850 characters per string value of `in` (FetchXML doc §1.2)
  if (texts.some((t) => t.length > 850)) return local('an IN value longer than 850 characters is compared locally');
  if (negated) return [condition(column, 'not-in', undefined, texts), notNull(column)];
  return [condition(column, 'in', undefined, texts)];
}

function like(expr: Extract<Expr, { kind: 'like' }>, negated: boolean, ctx: FetchFilterContext): XmlElement[] {
  const column = columnOf(expr.expr, ctx);
  if (column.edmType !== 'Edm.String') return local(`LIKE on ${column.name} (not text) is evaluated locally`);
  const pattern = constantValue(expr.pattern, ctx.params);
  if (!pattern || typeof pattern.value !== 'string') return local('LIKE with a computed pattern is evaluated locally');
  let escape: string | undefined;
  if (expr.escape) {
    const e = constantValue(expr.escape, ctx.params);
    if (!e || typeof e.value !== 'string' || e.value.length !== 1) throw new DynasqlError('DYNASQL_ERR_SYNTAX', 'ESCAPE needs a single character');
    escape = e.value;
  }
  const text = escape === undefined ? pattern.value : withoutEscape(pattern.value, escape);
  if (negated) return [condition(column, 'not-like', text), notNull(column)];
  return [condition(column, 'like', text)];
}

/** `10!%` with ESCAPE '!' → `10[%]`: FetchXML has no ESCAPE; a one-character set matches the character itself */
function withoutEscape(pattern: string, escape: string): string {
  let out = '';
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i]!;
    if (ch === escape && i + 1 < pattern.length) {
      const next = pattern[++i]!;
      out += next === '%' || next === '_' || next === '[' ? `[${next}]` : next;
    } else out += ch;
  }
  return out;
}
