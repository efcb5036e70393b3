import { ODataError, propertyNotFound, queryError } from '../errors.js';
import type { EntityTypeDef } from '../metadata/model.js';
import type { Row } from '../store/row.js';
import type { ArrayLiteral, Expr, PathExpr } from './ast.js';
import { parseOption } from './parse.js';
import { QUERY_FUNCTIONS } from './query-functions.js';
import { aliasText, collectionChildren, followLookup, type QueryScope } from './scope.js';
import { compareValues, compareWithConstant, equalValues, likePattern } from './values.js';

/** Lambda variables in scope: `c` in `contact_customer_accounts/any(c:c/fullname eq 'x')`. */
type Vars = Map<string, { entity: EntityTypeDef; row: Row }>;
type Eval = (row: Row, vars: Vars) => unknown;
/** the variables of a filter outside any lambda: none, one map for every row (a lambda copies it, never writes it) */
const NO_VARIABLES: Vars = new Map();

/** `$filter` text → a predicate over rows of `entity`; validates names first, as the service does. */
export function compileFilter(scope: QueryScope, entity: EntityTypeDef, text: string): (row: Row) => boolean {
  const expr = parseOption<Expr>('filter', text);
  const predicate = compileBool(scope, entity, expr, new Map(), text);
  return (row) => predicate(row, NO_VARIABLES) === true;
}

export function compileFilterExpr(scope: QueryScope, entity: EntityTypeDef, expr: Expr, text: string): (row: Row) => boolean {
  const predicate = compileBool(scope, entity, expr, new Map(), text);
  return (row) => predicate(row, NO_VARIABLES) === true;
}

const unwrap = (e: Expr): Expr => (e.type === 'group' ? unwrap(e.expr) : e);

function compileBool(scope: QueryScope, entity: EntityTypeDef, expr: Expr, varTypes: Map<string, EntityTypeDef>, text: string): Eval {
  switch (expr.type) {
    case 'logical': {
      const left = compileBool(scope, entity, expr.left, varTypes, text);
      const right = compileBool(scope, entity, expr.right, varTypes, text);
      return expr.op === 'and' ? (r, v) => left(r, v) === true && right(r, v) === true : (r, v) => left(r, v) === true || right(r, v) === true;
    }
    case 'not': {
      if (unwrap(expr.expr).type === 'queryFunction') throw queryError('Not operator along with the Custom Named Condition operators is not allowed');
      const inner = compileBool(scope, entity, expr.expr, varTypes, text);
      return (r, v) => inner(r, v) !== true;
    }
    case 'group':
      return compileBool(scope, entity, expr.expr, varTypes, text);
    case 'compare':
      return compileCompare(scope, entity, expr, varTypes, text);
    case 'in':
      if (!scope.profile.inOperatorAllowed) throw queryError('The method or operation is not implemented.');
      {
        const left = compileValue(scope, entity, expr.left, varTypes, text);
        const items = expr.items.map((i) => compileValue(scope, entity, i, varTypes, text));
        return (r, v) => items.some((item) => equalValues(left(r, v), item(r, v)));
      }
    case 'call':
      return compileCall(scope, entity, expr, varTypes, text);
    case 'queryFunction':
      return compileQueryFunction(scope, entity, expr, varTypes, text);
    case 'lambda':
      return compileLambda(scope, entity, expr, varTypes, text);
    case 'literal':
      if (typeof expr.value === 'boolean') return () => expr.value;
      break;
    case 'path': {
      const value = compileValue(scope, entity, expr, varTypes, text);
      return (r, v) => value(r, v) === true;
    }
    case 'alias':
      return compileBool(scope, entity, parseOption<Expr>('filter', aliasText(scope, expr.name)), varTypes, text);
    default:
      break;
  }
  throw queryError(`Syntax error at position ${expr.pos} in '${text}'.`);
}

function compileCompare(scope: QueryScope, entity: EntityTypeDef, expr: Extract<Expr, { type: 'compare' }>, varTypes: Map<string, EntityTypeDef>, text: string): Eval {
  if (expr.op === 'has') throw queryError('The method or operation is not implemented.');
  checkOperandTypes(scope, entity, expr, varTypes);
  const left = compileValue(scope, entity, expr.left, varTypes, text);
  const right = compileValue(scope, entity, expr.right, varTypes, text);
  if (expr.right.type === 'literal' && expr.op !== 'eq' && expr.op !== 'ne') {
    // `createdon ge 2024-01-01T00:00:00Z`: the constant read once, not for every row
    const compare = compareWithConstant(expr.right.value);
    switch (expr.op) {
      case 'gt': return (r, v) => { const c = compare(left(r, v)); return c !== undefined && c > 0; };
      case 'ge': return (r, v) => { const c = compare(left(r, v)); return c !== undefined && c >= 0; };
      case 'lt': return (r, v) => { const c = compare(left(r, v)); return c !== undefined && c < 0; };
      case 'le': return (r, v) => { const c = compare(left(r, v)); return c !== undefined && c <= 0; };
    }
  }
  switch (expr.op) {
    case 'eq': return (r, v) => equalValues(left(r, v), right(r, v));
    case 'ne': return (r, v) => !equalValues(left(r, v), right(r, v));
    case 'gt': return (r, v) => (compareValues(left(r, v), right(r, v)) ?? 0) > 0 && compareValues(left(r, v), right(r, v)) !== undefined;
    case 'ge': return (r, v) => { const c = compareValues(left(r, v), right(r, v)); return c !== undefined && c >= 0; };
    case 'lt': return (r, v) => { const c = compareValues(left(r, v), right(r, v)); return c !== undefined && c < 0; };
    case 'le': return (r, v) => { const c = compareValues(left(r, v), right(r, v)); return c !== undefined && c <= 0; };
  }
}

const NUMERIC = new Set(['Edm.Int16', 'Edm.Int32', 'Edm.Int64', 'Edm.Decimal', 'Edm.Double', 'Edm.Single', 'Edm.Byte']);
const literalEdm = (e: Expr): string | undefined => {
  if (e.type !== 'literal' || e.edm === 'null') return undefined;
  if (e.edm === 'Edm.Int64' && typeof e.value === 'number' && Math.abs(e.value) <= 2_147_483_647) return 'Edm.Int32';
  return e.edm;
};

/** `name eq 5` → the OData library's incompatible-types error, as the service reports it. */
function checkOperandTypes(scope: QueryScope, entity: EntityTypeDef, expr: Extract<Expr, { type: 'compare' }>, varTypes: Map<string, EntityTypeDef>) {
  const typeOf = (e: Expr) => (e.type === 'path' ? pathType(scope, entity, e, varTypes) : literalEdm(e));
  const a = typeOf(expr.left);
  const b = typeOf(expr.right);
  if (!a || !b) return;
  const kind = (t: string) => (NUMERIC.has(t) ? 'number' : t === 'Edm.String' ? 'string' : t === 'Edm.Boolean' ? 'boolean' : t);
  const ka = kind(a);
  const kb = kind(b);
  const compatible = ka === kb || (ka === 'Edm.Guid' && kb === 'string') || (kb === 'Edm.Guid' && ka === 'string')
    || (['Edm.DateTimeOffset', 'Edm.Date'].includes(a) && ['Edm.DateTimeOffset', 'Edm.Date'].includes(b));
  if (compatible) return;
  const opKind = { eq: 'Equal', ne: 'NotEqual', gt: 'GreaterThan', ge: 'GreaterThanOrEqual', lt: 'LessThan', le: 'LessThanOrEqual', has: 'Has' }[expr.op];
  throw queryError(`A binary operator with incompatible types was detected. Found operand types '${a}' and '${b}' for operator kind '${opKind}'.`);
}

function pathType(scope: QueryScope, entity: EntityTypeDef, path: PathExpr, varTypes: Map<string, EntityTypeDef>): string | undefined {
  let current = entity;
  let segments = path.segments;
  const variable = varTypes.get(segments[0]!);
  if (variable) {
    current = variable;
    segments = segments.slice(1);
  }
  for (let i = 0; i < segments.length; i++) {
    const name = segments[i]!;
    const property = current.properties.get(name);
    if (property) return i === segments.length - 1 ? property.type : undefined;
    const nav = current.navigations.get(name);
    const target = nav && scope.model.entityTypes.get(nav.target);
    if (!target) return undefined;
    current = target;
  }
  return undefined;
}

function compileCall(scope: QueryScope, entity: EntityTypeDef, expr: Extract<Expr, { type: 'call' }>, varTypes: Map<string, EntityTypeDef>, text: string): Eval {
  if (!['contains', 'startswith', 'endswith'].includes(expr.name)) {
    throw queryError(`An unknown function with name '${expr.name}' was found. This may also be a function import or a key lookup on a navigation property, which is not allowed.`);
  }
  if (expr.args.length !== 2) throw queryError(`No function signature for the function with name '${expr.name}' matches the specified arguments.`);
  const subject = compileValue(scope, entity, expr.args[0]!, varTypes, text);
  const pattern = compileValue(scope, entity, expr.args[1]!, varTypes, text);
  const mode = expr.name as 'contains' | 'startswith' | 'endswith';
  const cache = new Map<string, RegExp>();
  return (r, v) => {
    const value = subject(r, v);
    const p = pattern(r, v);
    if (value === null || value === undefined || p === null || p === undefined) return false;
    const key = String(p);
    let regex = cache.get(key);
    if (!regex) cache.set(key, (regex = likePattern(key, mode)));
    return regex.test(String(value));
  };
}

function compileQueryFunction(scope: QueryScope, entity: EntityTypeDef, expr: Extract<Expr, { type: 'queryFunction' }>, varTypes: Map<string, EntityTypeDef>, text: string): Eval {
  const fn = QUERY_FUNCTIONS[expr.name];
  if (!fn) {
    const declared = scope.model.operations.has(expr.name);
    throw queryError(declared
      ? `The query function 'Microsoft.Dynamics.CRM.${expr.name}' is not supported by the emulator.`
      : `An unknown function with name 'Microsoft.Dynamics.CRM.${expr.name}' was found. This may also be a function import or a key lookup on a navigation property, which is not allowed.`);
  }
  const param = (name: string): unknown => {
    const p = expr.params.find((x) => x.name === name);
    if (!p) return undefined;
    return constantOf(scope, p.value);
  };
  const propertyName = param('PropertyName');
  if (typeof propertyName !== 'string') throw queryError(`Function 'Microsoft.Dynamics.CRM.${expr.name}' requires the parameter 'PropertyName'.`);
  const value = compileValue(scope, entity, { type: 'path', segments: propertyName.split('/'), pos: expr.pos }, varTypes, text);
  const arg = param('PropertyValue');
  const rawArgs = param('PropertyValues');
  const args = Array.isArray(rawArgs) ? rawArgs : rawArgs === undefined ? [] : [rawArgs];
  return (r, v) => fn({ value: value(r, v), arg, args, now: scope.now, userId: scope.userId, businessUnitId: scope.businessUnitId }, expr.name);
}

/** The constant a query-function parameter stands for: a literal, an array or an alias of either. */
function constantOf(scope: QueryScope, value: Expr | ArrayLiteral): unknown {
  if (value.type === 'array') return value.items;
  if (value.type === 'literal') return value.value;
  if (value.type === 'alias') return constantOf(scope, parseOption<Expr>('aliasValue', aliasText(scope, value.name)));
  if (value.type === 'path') return value.segments.join('/');
  throw queryError('Invalid parameter value of a query function.');
}

function compileLambda(scope: QueryScope, entity: EntityTypeDef, expr: Extract<Expr, { type: 'lambda' }>, varTypes: Map<string, EntityTypeDef>, text: string): Eval {
  let owner = entity;
  let segments = expr.nav.segments;
  const variable = varTypes.get(segments[0]!);
  if (variable) {
    owner = variable;
    segments = segments.slice(1);
  }
  if (segments.length !== 1) throw queryError('Conditions on a collection-valued navigation property that hangs off a lookup are not supported.');
  const nav = owner.navigations.get(segments[0]!);
  if (!nav) throw propertyNotFound(segments[0]!, owner.qualifiedName);
  if (!nav.collection) throw queryError(`The parent value for a lambda expression must be a collection-valued navigation property ('${nav.name}').`);
  const target = scope.model.entityTypes.get(nav.target)!;
  const nested = new Map(varTypes);
  if (expr.variable) nested.set(expr.variable, target);
  const body = expr.expr ? compileBool(scope, entity, expr.expr, nested, text) : undefined;
  const name = expr.variable;
  return (r, vars) => {
    const parent = variable ? vars.get(expr.nav.segments[0]!) : { entity, row: r };
    if (!parent) return false;
    const { entity: childEntity, rows } = collectionChildren(scope, parent.entity, parent.row, nav);
    const test = (child: Row) => {
      if (!body) return true;
      const next = new Map(vars);
      if (name) next.set(name, { entity: childEntity, row: child });
      return body(r, next) === true;
    };
    return expr.kind === 'any' ? rows.some(test) : rows.every(test);
  };
}

/** A value-producing expression: a property path, a literal, an alias (which may name a property). */
export function compileValue(scope: QueryScope, entity: EntityTypeDef, expr: Expr, varTypes: Map<string, EntityTypeDef>, text: string): Eval {
  switch (expr.type) {
    case 'literal': return () => expr.value;
    case 'array': return () => expr.items;
    case 'alias': {
      const parsed = parseOption<Expr>('aliasValue', aliasText(scope, expr.name));
      return compileValue(scope, entity, parsed, varTypes, text);
    }
    case 'badLiteral':
      throw queryError(`Unrecognized 'Edm.String' literal '${expr.text}' at '${expr.pos}' in '${text}'.`);
    case 'enum': {
      if (!scope.profile.enumLiterals) throw queryError(`Syntax error at position ${expr.pos} in '${text}'.`);
      return () => expr.member;
    }
    case 'group': return compileBool(scope, entity, expr.expr, varTypes, text);
    case 'path': return compilePath(scope, entity, expr, varTypes);
    default: return compileBool(scope, entity, expr, varTypes, text);
  }
}

function compilePath(scope: QueryScope, entity: EntityTypeDef, path: PathExpr, varTypes: Map<string, EntityTypeDef>): Eval {
  const segments = [...path.segments];
  const variableName = varTypes.has(segments[0]!) ? segments.shift()! : undefined;
  let current = variableName ? varTypes.get(variableName)! : entity;
  const steps: ((item: { entity: EntityTypeDef; row: Row }) => { entity: EntityTypeDef; row: Row } | undefined)[] = [];
  let final: ((row: Row) => unknown) | undefined;
  if (segments.length === 0) throw queryError(`A lambda variable must be followed by a property ('${variableName}').`);
  for (let i = 0; i < segments.length; i++) {
    const name = segments[i]!;
    const last = i === segments.length - 1;
    const property = current.properties.get(name);
    if (property) {
      if (!last) throw queryError(`Property '${name}' is not a navigation property and cannot be traversed.`);
      final = (row) => row.values[name] ?? null;
      break;
    }
    const nav = current.navigations.get(name);
    if (!nav) throw propertyNotFound(name, current.qualifiedName);
    if (nav.collection) throw queryError(`The navigation property '${name}' is collection-valued; use any or all.`);
    if (last) {
      const lookup = nav.lookupProperty;
      final = (row) => (lookup ? row.values[lookup] ?? null : null);
      break;
    }
    steps.push((item) => followLookup(scope, item.row, nav));
    const target = scope.model.entityTypes.get(nav.target);
    if (!target) throw new ODataError(500, '0x80040216', `Navigation '${name}' targets an unknown type.`);
    current = target;
  }
  const read = final!;
  // a column of the row itself, the common case: no lookups to follow, nothing to allocate per row
  if (!variableName && steps.length === 0) return (row) => read(row);
  return (row, vars) => {
    let item: { entity: EntityTypeDef; row: Row } | undefined = variableName ? vars.get(variableName) : { entity, row };
    for (const step of steps) {
      if (!item) return null;
      item = step(item);
    }
    return item ? read(item.row) : null;
  };
}
