/**
 * The `$filter` model and its serializer. Push-down builds these nodes; only `serializeFilter` turns
 * them into text, and every value in them goes through `odataLiteral`.
 *
 * `{kind:'compare', op:'gt', property:'revenue', value:'1000', target:{edmType:'Edm.Decimal'}}` →
 * `revenue gt 1000`.
 */
import { odataLiteral, type LiteralTarget, type LiteralValue } from './literal.js';

export type CompareOp = 'eq' | 'ne' | 'gt' | 'ge' | 'lt' | 'le';

export type ODataFilter =
  | { kind: 'compare'; op: CompareOp; property: string; value: LiteralValue; target: LiteralTarget }
  /** `property op otherProperty` (same row, same type) */
  | { kind: 'compareProperties'; op: CompareOp; property: string; other: string }
  /** `contains(name,'x')`; the value must hold no wildcard the service would honour */
  | { kind: 'stringFunction'; fn: 'contains' | 'startswith' | 'endswith'; property: string; value: string }
  /** Dataverse query function `Microsoft.Dynamics.CRM.In(PropertyName='x',PropertyValues=["a","b"])` */
  | { kind: 'crmIn'; property: string; values: LiteralValue[]; target: LiteralTarget }
  | { kind: 'and' | 'or'; items: ODataFilter[] }
  /** `false`: a condition no row meets (`industrycodename = 'no such label'`), sent instead of reading every row */
  | { kind: 'constant'; value: boolean }
  | { kind: 'not'; item: ODataFilter }
  /**
   * `contact_customer_accounts/any(x:x/firstname eq 'Mark')`: some row of a collection-valued
   * navigation property satisfies `item`, whose properties name the variable (`x/firstname`);
   * without `item`, `contact_customer_accounts/any()`: the collection is not empty
   */
  | { kind: 'any'; navigation: string; variable: string; item?: ODataFilter };

export function serializeFilter(filter: ODataFilter): string {
  switch (filter.kind) {
    case 'compare':
      return `${filter.property} ${filter.op} ${odataLiteral(filter.value, filter.target)}`;
    case 'compareProperties':
      return `${filter.property} ${filter.op} ${filter.other}`;
    case 'stringFunction':
      return `${filter.fn}(${filter.property},${odataLiteral(filter.value, { edmType: 'Edm.String' })})`;
    case 'crmIn': {
      const json: LiteralTarget = { ...filter.target, style: 'json' };
      const values = filter.values.map((v) => odataLiteral(v, json)).join(',');
      return `Microsoft.Dynamics.CRM.In(PropertyName=${odataLiteral(filter.property, { edmType: 'Edm.String' })},PropertyValues=[${values}])`;
    }
    case 'and': case 'or':
      return filter.items.map((item) => wrap(item, filter.kind)).join(` ${filter.kind} `);
    case 'not':
      return `not (${serializeFilter(filter.item)})`;
    case 'constant':
      return filter.value ? 'true' : 'false';
    case 'any':
      return filter.item ? `${filter.navigation}/any(${filter.variable}:${serializeFilter(filter.item)})` : `${filter.navigation}/any()`;
  }
}

/** `a or b` inside an `and` needs parentheses; everything else binds tighter */
function wrap(item: ODataFilter, parent: 'and' | 'or'): string {
  const text = serializeFilter(item);
  return (item.kind === 'or' && parent === 'and') || (item.kind === 'and' && parent === 'or') ? `(${text})` : text;
}

/**
 * `serializeFilter(andAll(filters))` from each filter's own text, for a caller that has serialized
 * them one by one already: `[a or b, c]` → `(a or b) and c`.
 */
export function conjunctionText(parts: readonly { filter: ODataFilter; text: string }[]): string | undefined {
  if (parts.length <= 1) return parts[0]?.text;
  return parts.map((part) => (part.filter.kind === 'or' ? `(${part.text})` : part.text)).join(' and ');
}

/** flattens nested and/or of the same kind and drops single-item groups */
export function andAll(items: ODataFilter[]): ODataFilter | undefined {
  const flat = items.flatMap((i) => (i.kind === 'and' ? i.items : [i]));
  if (flat.length === 0) return undefined;
  return flat.length === 1 ? flat[0] : { kind: 'and', items: flat };
}

export function orAll(items: ODataFilter[]): ODataFilter {
  const flat = items.flatMap((i) => (i.kind === 'or' ? i.items : [i]));
  return flat.length === 1 ? flat[0]! : { kind: 'or', items: flat };
}
