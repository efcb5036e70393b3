import { queryError } from '../errors.js';
import type { EdmModel, EntityTypeDef } from '../metadata/model.js';
import type { Expr, Literal } from '../query/ast.js';
import { FINOPS_NAMESPACE } from './finops-schema.js';

const ORDERING = new Set(['gt', 'ge', 'lt', 'le']);
const OPERATOR_KIND: Record<string, string> = { gt: 'GreaterThan', ge: 'GreaterThanOrEqual', lt: 'LessThan', le: 'LessThanOrEqual' };

/**
 * Rewrites a parsed F&O `$filter` into what the shared evaluator runs, and refuses what F&O refuses:
 *
 * - Wildcards: F&O's "contains" is `Name eq '*retail*'` (protocol §8). `'*x*'` becomes
 *   contains, `'x*'` startswith, `'*x'` endswith, `'a*b'` both; `%` and `_` in the value are escaped
 *   so only `*` is a wildcard. `ne` negates the match.
 * - Enums: `Microsoft.Dynamics.DataEntities.NoYes'Yes'` must name a declared member, and only
 *   eq/ne may compare enums.
 */
export function adaptFinopsFilter(expr: Expr, entity: EntityTypeDef, model: EdmModel): Expr {
  const visit = (e: Expr): Expr => {
    switch (e.type) {
      case 'logical': return { ...e, left: visit(e.left), right: visit(e.right) };
      case 'not': return { ...e, expr: visit(e.expr) };
      case 'group': return { ...e, expr: visit(e.expr) };
      case 'enum': checkEnumLiteral(e, model); return e;
      case 'queryFunction':
        // Dataverse's Microsoft.Dynamics.CRM.* query functions do not exist on F&O.
        throw queryError(`An unknown function with name 'Microsoft.Dynamics.CRM.${e.name}' was found. This may also be a function import or a key lookup on a navigation property, which is not allowed.`);
      case 'compare': {
        const left = visit(e.left);
        const right = visit(e.right);
        if (ORDERING.has(e.op) && (isEnum(left, entity) || isEnum(right, entity))) {
          throw queryError(`The operator '${OPERATOR_KIND[e.op]}' is not supported on enumeration values; use eq or ne.`);
        }
        const wildcard = (e.op === 'eq' || e.op === 'ne') && left.type === 'path' && isWildcard(right) ? wildcardMatch(left, right as Literal) : undefined;
        if (wildcard) return e.op === 'eq' ? wildcard : { type: 'not', expr: wildcard, pos: e.pos };
        return { ...e, left, right };
      }
      default: return e;
    }
  };
  return visit(expr);
}

function checkEnumLiteral(e: Extract<Expr, { type: 'enum' }>, model: EdmModel): void {
  const typeName = e.typeName.startsWith(`${FINOPS_NAMESPACE}.`) ? e.typeName.slice(FINOPS_NAMESPACE.length + 1) : undefined;
  const members = typeName ? model.enumTypes.get(typeName) : undefined;
  if (!members || !members.has(e.member)) throw queryError(`The string '${e.typeName}'${e.member}'' is not a valid enumeration type constant.`);
}

function isEnum(e: Expr, entity: EntityTypeDef): boolean {
  if (e.type === 'enum') return true;
  if (e.type !== 'path' || e.segments.length !== 1) return false;
  const type = entity.properties.get(e.segments[0]!)?.type;
  return !!type && !type.startsWith('Edm.');
}

const isWildcard = (e: Expr): boolean => e.type === 'literal' && typeof e.value === 'string' && e.value.includes('*');

function wildcardMatch(path: Expr, literal: Literal): Expr {
  const text = literal.value as string;
  const escaped = text.replace(/[%_[]/g, (c) => `[${c}]`);
  const leading = escaped.startsWith('*');
  const trailing = escaped.endsWith('*') && escaped.length > 1;
  const core = escaped.replace(/^\*+|\*+$/g, '').replace(/\*+/g, '%');
  const call = (name: string): Expr => ({ type: 'call', name, args: [path, { ...literal, value: core }], pos: literal.pos });
  if (core === '') return { type: 'literal', edm: 'Edm.Boolean', value: true, pos: literal.pos };
  if (leading && trailing) return call('contains');
  if (trailing) return call('startswith');
  if (leading) return call('endswith');
  return { type: 'logical', op: 'and', left: call('startswith'), right: call('endswith'), pos: literal.pos };
}
