import type { EntityTypeDef, PropertyDef } from '../metadata/model.js';
import type { QueryScope } from '../query/scope.js';
import { compareValues, equalValues, likePattern, toMillis } from '../query/values.js';
import { invalidFetch } from './errors.js';
import { hierarchyIds } from './hierarchy.js';
import type { ConditionNode } from './parse.js';
import { isRelativeDate, relativeRange } from './relative-dates.js';
import { fiscalCalendar } from './fiscal-calendar.js';
import { fiscalTest, isFiscalOperator } from './fiscal-conditions.js';

/**
 * One `<condition>` as a test on a column's stored value (FetchXML doc §1.2), with the service's
 * string semantics from the OData evaluator: case-insensitive, trailing blanks ignored, and the
 * `like` family taking SQL wildcards. Every negated operator is the exact negation of its positive
 * one, so it also matches nulls as `ne` does (protocol §12.1); the docs say so only for `ne`.
 */
export function compileCondition(scope: QueryScope, entity: EntityTypeDef, property: PropertyDef, lookup: boolean, condition: ConditionNode): (value: unknown) => boolean {
  const op = condition.operator;
  if (isRelativeDate(op)) {
    const text = condition.value ?? condition.values[0];
    const range = relativeRange(op, scope.now, text === undefined ? undefined : Number(text), property.type === 'Edm.Date');
    return (v) => {
      if (v === null || v === undefined) return false;
      const ms = toMillis(String(v));
      return ms >= range.from && ms < range.to;
    };
  }
  if (isFiscalOperator(op)) {
    if (!DATES.has(property.type)) throw invalidFetch(`the operator '${op}' needs a date column; '${property.name}' is not one.`);
    const values = condition.values.length ? condition.values : condition.value !== undefined ? [condition.value] : [];
    const test = fiscalTest(op, fiscalCalendar(scope.store), scope.now, values);
    return (v) => v !== null && v !== undefined && test(toMillis(String(v)));
  }
  const typed = (text: string) => typedValue(property, lookup, text);
  const values = () => {
    const list = condition.values.length ? condition.values : condition.value !== undefined ? [condition.value] : [];
    if (list.length === 0) throw invalidFetch(`the condition operator '${op}' needs a value.`);
    return list.map(typed);
  };
  const single = () => {
    const list = values();
    if (list.length !== 1) throw invalidFetch(`the condition operator '${op}' takes one value.`);
    return list[0];
  };
  const negate = (test: (v: unknown) => boolean) => (v: unknown) => !test(v);
  switch (op) {
    case 'eq': { const c = single(); return (v) => equalValues(v, c); }
    case 'ne': case 'neq': { const c = single(); return (v) => !equalValues(v, c); }
    case 'gt': { const c = single(); return (v) => (compareValues(v, c) ?? 0) > 0 && v != null; }
    case 'ge': { const c = single(); return (v) => v != null && (compareValues(v, c) ?? -1) >= 0; }
    case 'lt': { const c = single(); return (v) => v != null && (compareValues(v, c) ?? 0) < 0; }
    case 'le': { const c = single(); return (v) => v != null && (compareValues(v, c) ?? 1) <= 0; }
    case 'null': return (v) => v === null || v === undefined;
    case 'not-null': return (v) => v !== null && v !== undefined;
    case 'like': return likeTest(String(single()), 'exact');
    case 'not-like': return negate(likeTest(String(single()), 'exact'));
    case 'begins-with': return likeTest(String(single()), 'startswith');
    case 'not-begin-with': return negate(likeTest(String(single()), 'startswith'));
    case 'ends-with': return likeTest(String(single()), 'endswith');
    case 'not-end-with': return negate(likeTest(String(single()), 'endswith'));
    case 'in': { const list = values(); return (v) => list.some((c) => equalValues(v, c)); }
    case 'not-in': { const list = values(); return (v) => !list.some((c) => equalValues(v, c)); }
    case 'between': return betweenTest(values(), op);
    case 'not-between': return negate(betweenTest(values(), op));
    case 'on': { const day = dayOf(single()); return (v) => v != null && dayOf(v) === day; }
    case 'on-or-after': { const day = dayOf(single()); return (v) => v != null && dayOf(v) >= day; }
    case 'on-or-before': { const day = dayOf(single()); return (v) => v != null && dayOf(v) <= day; }
    case 'under': case 'eq-or-under': case 'above': case 'eq-or-above': {
      const ids = hierarchyIds(scope, entity, op, String(single()));
      return (v) => typeof v === 'string' && ids.has(v.toLowerCase());
    }
    case 'not-under': {
      const ids = hierarchyIds(scope, entity, op, String(single()));
      return (v) => !(typeof v === 'string' && ids.has(v.toLowerCase()));
    }
    case 'eq-userid': return (v) => equalValues(v, scope.userId);
    case 'ne-userid': return (v) => !equalValues(v, scope.userId);
    case 'eq-businessid': return (v) => equalValues(v, scope.businessUnitId);
    case 'ne-businessid': return (v) => !equalValues(v, scope.businessUnitId);
    default:
      throw invalidFetch(`the condition operator '${op}' is not supported by the emulator.`);
  }
}

const DATES = new Set(['Edm.DateTimeOffset', 'Edm.Date']);

function betweenTest(list: unknown[], op: string): (v: unknown) => boolean {
  if (list.length !== 2) throw invalidFetch(`the condition operator '${op}' needs exactly two <value> elements.`);
  const [low, high] = list;
  return (v) => v != null && (compareValues(v, low) ?? -1) >= 0 && (compareValues(v, high) ?? 1) <= 0;
}

/**
 * `like` matches the whole value; the OData helper builds start- or end-anchored patterns, so the
 * whole-value form is its end-anchored pattern with the leading "anything" removed.
 */
function likeTest(pattern: string, mode: 'exact' | 'startswith' | 'endswith'): (v: unknown) => boolean {
  let regex: RegExp;
  if (mode === 'exact') {
    const endAnchored = likePattern(pattern, 'endswith');
    regex = new RegExp(`^${endAnchored.source.slice('^[\\s\\S]*'.length)}`, endAnchored.flags);
  } else regex = likePattern(pattern, mode);
  return (v) => v !== null && v !== undefined && regex.test(String(v));
}

const dayOf = (value: unknown) => {
  const ms = toMillis(String(value));
  if (Number.isNaN(ms)) throw invalidFetch(`'${String(value)}' is not a date.`);
  return new Date(ms).toISOString().slice(0, 10);
};

/** A condition value as the column stores it: numbers, booleans and unbraced GUIDs. */
function typedValue(property: PropertyDef, lookup: boolean, text: string): unknown {
  if (lookup || property.type === 'Edm.Guid') return text.trim().replace(/^\{|\}$/g, '').toLowerCase();
  switch (property.type) {
    case 'Edm.Boolean': {
      const t = text.trim().toLowerCase();
      if (t === '1' || t === 'true') return true;
      if (t === '0' || t === 'false') return false;
      throw invalidFetch(`'${text}' is not a valid Boolean value.`);
    }
    case 'Edm.Int32': case 'Edm.Int64': case 'Edm.Decimal': case 'Edm.Double': case 'Edm.Int16': case 'Edm.Byte': {
      const n = Number(text);
      if (text.trim() === '' || Number.isNaN(n)) throw invalidFetch(`'${text}' is not a valid number for '${property.name}'.`);
      return n;
    }
    default:
      return text;
  }
}
