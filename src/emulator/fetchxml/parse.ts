import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { invalidFetch, missingEntityName } from './errors.js';

/** A `<fetch>` as the emulator evaluates it (FetchXML doc §1.1). Names are as written, not yet resolved. */
export interface FetchQuery {
  top?: number;
  count?: number;
  page?: number;
  pagingCookie?: string;
  distinct: boolean;
  aggregate: boolean;
  aggregateLimit?: number;
  returnTotalRecordCount: boolean;
  useRawOrderBy: boolean;
  entity: EntityNode;
}

export interface EntityNode {
  name: string;
  allAttributes: boolean;
  attributes: AttributeNode[];
  orders: OrderNode[];
  filters: FilterNode[];
  links: LinkNode[];
}

export type LinkType = 'inner' | 'outer' | 'exists' | 'in' | 'any' | 'not any' | 'all' | 'not all';

export interface LinkNode extends EntityNode {
  from?: string;
  to?: string;
  alias?: string;
  linkType: LinkType;
}

export interface AttributeNode {
  name: string;
  alias?: string;
  aggregate?: 'count' | 'countcolumn' | 'sum' | 'avg' | 'min' | 'max';
  distinct: boolean;
  groupby: boolean;
  dategrouping?: 'day' | 'week' | 'month' | 'quarter' | 'year' | 'fiscal-period' | 'fiscal-year';
}

export interface OrderNode {
  attribute?: string;
  alias?: string;
  descending: boolean;
  entityname?: string;
}

export interface FilterNode {
  type: 'and' | 'or';
  conditions: ConditionNode[];
  filters: FilterNode[];
  /** Only the filter link types (`any`, `not any`, `all`, `not all`) and `exists`/`in`. */
  links: LinkNode[];
}

export interface ConditionNode {
  attribute: string;
  operator: string;
  value?: string;
  values: string[];
  entityname?: string;
  /** Another column to compare with: `column` or `alias.column`. */
  valueof?: string;
}

type XmlNode = Record<string, unknown>;

const REPEATED = new Set(['entity', 'attribute', 'all-attributes', 'order', 'filter', 'condition', 'link-entity', 'value']);
const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  parseAttributeValue: false,
  parseTagValue: false,
  // values as sent: a `like` value's trailing blank counts (SQL Server's LIKE on nvarchar), a leading one
  // is part of the value; fast-xml-parser trims them unless told not to
  trimValues: false,
  isArray: (name) => REPEATED.has(name),
});

const LINK_TYPES: readonly LinkType[] = ['inner', 'outer', 'exists', 'in', 'any', 'not any', 'all', 'not all'];
const AGGREGATES = ['count', 'countcolumn', 'sum', 'avg', 'min', 'max'] as const;
const DATE_GROUPINGS = ['day', 'week', 'month', 'quarter', 'year', 'fiscal-period', 'fiscal-year'] as const;

/** Parses the text of `fetchXml=`; malformed XML or a shape the schema refuses is a 400. */
export function parseFetch(text: string): FetchQuery {
  const valid = XMLValidator.validate(text);
  if (valid !== true) throw invalidFetch(`${valid.err.msg} (line ${valid.err.line}).`);
  const doc = parser.parse(text) as XmlNode;
  const fetch = doc.fetch as XmlNode | undefined;
  if (!fetch || typeof fetch !== 'object') throw invalidFetch('the root element must be <fetch>.');
  const entities = (fetch.entity as XmlNode[] | undefined) ?? [];
  if (entities.length !== 1) throw invalidFetch('<fetch> must have exactly one <entity>.');
  const flag = (name: string) => attr(fetch, name)?.toLowerCase() === 'true' || attr(fetch, name) === '1';
  const query: FetchQuery = {
    top: intAttr(fetch, 'top'),
    count: intAttr(fetch, 'count'),
    page: intAttr(fetch, 'page'),
    pagingCookie: attr(fetch, 'paging-cookie'),
    distinct: flag('distinct'),
    aggregate: flag('aggregate'),
    aggregateLimit: intAttr(fetch, 'aggregatelimit'),
    returnTotalRecordCount: flag('returntotalrecordcount'),
    useRawOrderBy: flag('useraworderby'),
    entity: entityNode(entities[0]!),
  };
  if (!query.entity.name) throw missingEntityName();
  return query;
}

function entityNode(node: XmlNode): EntityNode {
  return {
    name: attr(node, 'name') ?? '',
    allAttributes: ((node['all-attributes'] as unknown[] | undefined) ?? []).length > 0,
    attributes: children(node, 'attribute').map(attributeNode),
    orders: children(node, 'order').map((o) => ({
      attribute: attr(o, 'attribute'),
      alias: attr(o, 'alias'),
      descending: attr(o, 'descending') === 'true' || attr(o, 'descending') === '1',
      entityname: attr(o, 'entityname'),
    })),
    filters: children(node, 'filter').map(filterNode),
    links: children(node, 'link-entity').map(linkNode),
  };
}

function linkNode(node: XmlNode): LinkNode {
  const linkType = (attr(node, 'link-type') ?? 'inner') as LinkType;
  if (!LINK_TYPES.includes(linkType)) throw invalidFetch(`link-type '${linkType}' is not supported by the emulator.`);
  const entity = entityNode(node);
  if (!entity.name) throw missingEntityName();
  return { ...entity, from: attr(node, 'from'), to: attr(node, 'to'), alias: attr(node, 'alias'), linkType };
}

function attributeNode(node: XmlNode): AttributeNode {
  const name = attr(node, 'name');
  if (!name) throw invalidFetch("an <attribute> has no 'name'.");
  const aggregate = attr(node, 'aggregate')?.toLowerCase();
  if (aggregate !== undefined && !(AGGREGATES as readonly string[]).includes(aggregate)) throw invalidFetch(`aggregate '${aggregate}' is not valid.`);
  const dategrouping = attr(node, 'dategrouping')?.toLowerCase();
  if (dategrouping !== undefined && !(DATE_GROUPINGS as readonly string[]).includes(dategrouping)) throw invalidFetch(`dategrouping '${dategrouping}' is not supported by the emulator.`);
  return {
    name,
    alias: attr(node, 'alias'),
    aggregate: aggregate as AttributeNode['aggregate'],
    distinct: attr(node, 'distinct') === 'true',
    groupby: attr(node, 'groupby') === 'true',
    dategrouping: dategrouping as AttributeNode['dategrouping'],
  };
}

function filterNode(node: XmlNode): FilterNode {
  const type = (attr(node, 'type') ?? 'and').toLowerCase();
  if (type !== 'and' && type !== 'or') throw invalidFetch(`filter type '${type}' is not valid.`);
  return {
    type,
    conditions: children(node, 'condition').map((c) => {
      const attribute = attr(c, 'attribute');
      const operator = attr(c, 'operator');
      if (!attribute || !operator) throw invalidFetch("a <condition> needs 'attribute' and 'operator'.");
      const values = ((c.value as unknown[] | undefined) ?? []).map(textOf);
      return { attribute, operator: operator.toLowerCase(), value: attr(c, 'value'), values, entityname: attr(c, 'entityname'), valueof: attr(c, 'valueof') };
    }),
    filters: children(node, 'filter').map(filterNode),
    links: children(node, 'link-entity').map(linkNode),
  };
}

function children(node: XmlNode, name: string): XmlNode[] {
  const list = node[name];
  if (list === undefined) return [];
  // `<attribute/>` parses to '' (no attributes, no children): an element all the same.
  return (list as unknown[]).map((item) => (typeof item === 'object' && item !== null ? (item as XmlNode) : {}));
}

function attr(node: XmlNode, name: string): string | undefined {
  const value = node[`@_${name}`];
  return typeof value === 'string' ? value : undefined;
}

function intAttr(node: XmlNode, name: string): number | undefined {
  const text = attr(node, name);
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!Number.isInteger(n) || n < 0) throw invalidFetch(`'${name}' must be a non-negative integer, not '${text}'.`);
  return n;
}

function textOf(item: unknown): string {
  if (typeof item === 'string') return item;
  if (typeof item === 'number') return String(item);
  if (item && typeof item === 'object' && '#text' in item) return String((item as XmlNode)['#text']);
  return '';
}
