import { AGGREGATE_LIMIT, ODataError, propertyNotFound, queryError } from '../errors.js';
import type { EntityTypeDef } from '../metadata/model.js';
import type { Row } from '../store/row.js';
import type { ODataResponse } from '../state.js';
import { FORMATTED, isMoney } from '../http/format.js';
import { wantsAnnotation } from '../http/prefer.js';
import type { ReadContext, RowSource } from '../http/read.js';
import { jsonResponse } from '../http/respond.js';
import type { AggregateItem, OrderItem, PathExpr, Transformation } from './ast.js';
import { compileFilterExpr, compileValue } from './filter.js';
import { collationKey } from './values.js';
import { averageDecimalTexts, decimalTextOf, sumDecimalTexts } from './exact-decimal-math.js';
import { exactNumberValue, exactText } from '../http/exact-decimals.js';
import { parseOption } from './parse.js';
import { sortCompare } from './values.js';
import { checkValueAggregate } from './value-aggregates.js';
import { aggregatedProperty } from '../currency.js';

const moneyFormat = new Intl.NumberFormat('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 });

/**
 * `$apply`: `filter(...)`, `groupby((a,b),aggregate(...))`, `aggregate(x with sum as total)`
 * (protocol §1.4). Related group columns are named `<entity>_<column>`; null group values are
 * omitted from the row; more than `aggregateLimit` input rows → 0x8004E023; sum, average, min and
 * max of a choice or a yes/no attribute are refused (value-aggregates.ts), and with several
 * currencies those of a money column read its base-currency twin (currency.ts).
 */
export function runApply(rc: ReadContext, source: RowSource): ODataResponse {
  const text = rc.options.get('$apply')!;
  const steps = parseOption<Transformation[]>('apply', text);
  const entity = source.entity;
  for (const name of rc.options.keys()) {
    if (!['$apply', '$filter', '$orderby', '$top', '$count'].includes(name)) throw queryError(`The query parameter '${name}' cannot be combined with $apply.`);
  }
  const filters: ((row: Row) => boolean)[] = [];
  const filterText = rc.options.get('$filter');
  if (filterText !== undefined) filters.push(compileFilterExpr(rc.scope, entity, parseOption('filter', filterText), filterText));
  let grouping: Extract<Transformation, { type: 'groupby' }> | undefined;
  let aggregate: AggregateItem[] | undefined;
  for (const step of steps) {
    if (grouping || aggregate) throw queryError('Only filter transformations may precede groupby or aggregate in $apply.');
    if (step.type === 'filter') filters.push(compileFilterExpr(rc.scope, entity, step.expr, text));
    else if (step.type === 'groupby') {
      grouping = step;
      aggregate = step.aggregate?.items;
    } else aggregate = step.items;
  }

  const groupColumns = (grouping?.props ?? []).map((p) => groupColumn(rc, entity, p, text));
  const aggregates = (aggregate ?? []).map((a) => aggregateColumn(rc, entity, a, text));
  const aliases = new Set(aggregates.map((a) => a.alias));

  const limitError = () => new ODataError(400, AGGREGATE_LIMIT, 'AggregateQueryRecordLimit exceeded. Cannot perform this operation.');
  const aggregating = aggregates.length > 0 || Boolean(grouping);
  // A whole table's size is known without reading it: check the limit, and answer a bare count, early.
  const known = filters.length === 0 ? source.count?.() : undefined;
  if (aggregating && known !== undefined && known > rc.state.aggregateLimit) throw limitError();
  if (known !== undefined && !grouping && aggregates.length > 0 && aggregates.every((a) => a.countOnly)) {
    return jsonResponse(200, { '@odata.context': `${rc.serviceRoot}$metadata#${source.entitySet}`, value: [Object.fromEntries(aggregates.map((a) => [a.alias, known]))] });
  }
  const rows: Row[] = [];
  for (const row of source.scan()) if (filters.every((f) => f(row))) rows.push(row);
  if (aggregating && rows.length > rc.state.aggregateLimit) throw limitError();

  let results: Record<string, unknown>[];
  if (!grouping && aggregates.length === 0) {
    results = rows.map((r) => ({ ...r.values }));
  } else {
    const groups = new Map<string, { values: unknown[]; rows: Row[] }>();
    const vars = new Map();
    for (const row of rows) {
      const values = groupColumns.map((g) => g.value(row, vars));
      const key = JSON.stringify(values.map((v) => (typeof v === 'string' ? collationKey(v) : v)));
      const group = groups.get(key) ?? { values, rows: [] };
      group.rows.push(row);
      groups.set(key, group);
    }
    if (!grouping && groups.size === 0) groups.set('[]', { values: [], rows: [] });
    results = [...groups.values()].map((group) => {
      const out: Record<string, unknown> = {};
      groupColumns.forEach((g, i) => {
        if (group.values[i] !== null && group.values[i] !== undefined) out[g.name] = group.values[i];
      });
      for (const a of aggregates) {
        const value = a.compute(group.rows);
        if (a.money && wantsAnnotation(rc.prefs, FORMATTED) && value !== null) out[`${a.alias}@${FORMATTED}`] = `$${moneyFormat.format(Number(exactText(value)))}`;
        out[a.alias] = value;
      }
      return out;
    });
  }

  const orderText = rc.options.get('$orderby');
  if (orderText !== undefined) {
    const items = parseOption<OrderItem[]>('orderby', orderText);
    const keys = items.map((item) => {
      const name = item.expr.type === 'path' ? item.expr.segments.join('/') : '';
      if (aliases.has(name)) throw queryError('The query node SingleValueOpenPropertyAccess is not supported');
      const column = groupColumns.find((g) => g.path === name);
      if (grouping && !column) throw propertyNotFound(name, entity.qualifiedName);
      return { name: column?.name ?? name, descending: item.descending };
    });
    results.sort((a, b) => {
      for (const k of keys) {
        const c = sortCompare(a[k.name], b[k.name]);
        if (c !== 0) return k.descending ? -c : c;
      }
      return 0;
    });
  }
  const top = rc.options.get('$top');
  if (top !== undefined) results = results.slice(0, Number(top));
  return jsonResponse(200, { '@odata.context': `${rc.serviceRoot}$metadata#${source.entitySet}`, value: results });
}

/** the entity type a path's last segment is a property of (`primarycontactid/statecode` → contact) */
function ownerOf(rc: ReadContext, entity: EntityTypeDef, path: PathExpr): EntityTypeDef {
  let owner = entity;
  for (const segment of path.segments.slice(0, -1)) {
    const nav = owner.navigations.get(segment);
    if (!nav) throw propertyNotFound(segment, owner.qualifiedName);
    owner = rc.state.model.entityTypes.get(nav.target) ?? owner;
  }
  return owner;
}

function groupColumn(rc: ReadContext, entity: EntityTypeDef, path: PathExpr, text: string) {
  const value = compileValue(rc.scope, entity, path, new Map(), text);
  const owner = ownerOf(rc, entity, path);
  const last = path.segments[path.segments.length - 1]!;
  const property = owner.properties.get(last);
  if (property?.type === 'Edm.DateTimeOffset' || property?.type === 'Edm.Date') {
    throw queryError(`Grouping by the date and time column '${last}' is not supported.`);
  }
  const name = path.segments.length > 1 ? `${owner.name}_${last}` : last;
  return { name, path: path.segments.join('/'), value };
}

interface AggregateColumn {
  alias: string;
  money: boolean;
  countOnly?: boolean;
  compute(rows: Row[]): unknown;
}

function aggregateColumn(rc: ReadContext, entity: EntityTypeDef, item: AggregateItem, text: string): AggregateColumn {
  const alias = item.alias;
  if (item.method === '$count') return { alias, money: false, countOnly: true, compute: (rows: Row[]) => rows.length };
  const owner = ownerOf(rc, entity, item.prop!);
  const last = item.prop!.segments[item.prop!.segments.length - 1]!;
  checkValueAggregate(rc.state.choices, owner, last, item.method);
  // with several currencies a money column is aggregated over its base-currency twin (currency.ts)
  const read = aggregatedProperty(rc.state.store, owner, last, item.method);
  const prop: PathExpr = read === last ? item.prop! : { ...item.prop!, segments: [...item.prop!.segments.slice(0, -1), read] };
  const value = compileValue(rc.scope, entity, prop, new Map(), text);
  const property = prop.segments.length === 1 ? entity.properties.get(prop.segments[0]!) : undefined;
  const money = property ? isMoney(entity, property) : false;
  const vars = new Map();
  const values = (rows: Row[]) => rows.map((r) => value(r, vars)).filter((v) => v !== null && v !== undefined);
  const numbers = (rows: Row[]) => values(rows).map(Number);
  // decimals (money among them) sum exactly, as SQL Server does: see exact-decimal-math.ts
  const decimalName = property?.type === 'Edm.Decimal' ? property.name : undefined;
  const decimalTexts = (rows: Row[]) => rows.flatMap((row) => {
    const v = row.values[decimalName!];
    if (v === null || v === undefined) return [];
    const written = row.exactDecimals?.[decimalName!];
    return [written !== undefined && Number(written) === v ? written : decimalTextOf(Number(v))];
  });
  switch (item.method) {
    // null over no non-null values, like average, min and max: the OData aggregation extension's rule
    // for every standard method (the Dataverse docs do not say; see README)
    case 'sum':
      if (decimalName) return { alias, money, compute: (rows: Row[]) => { const t = decimalTexts(rows); return t.length ? exactNumberValue(sumDecimalTexts(t)) : null; } };
      return { alias, money, compute: (rows: Row[]) => { const n = numbers(rows); return n.length ? n.reduce((a, b) => a + b, 0) : null; } };
    case 'average':
      // AVG(money) is money (4 decimals); AVG(decimal(p,s)) has max(s,6) decimals, and the emulator's
      // model has no scale, so the values' own decimals stand in for s
      if (decimalName) {
        return {
          alias, money, compute: (rows: Row[]) => {
            const t = decimalTexts(rows);
            const scale = money ? 4 : Math.max(6, ...t.map((x) => x.split('.')[1]?.length ?? 0));
            return t.length ? exactNumberValue(averageDecimalTexts(t, scale)) : null;
          },
        };
      }
      return { alias, money, compute: (rows: Row[]) => { const n = numbers(rows); return n.length ? n.reduce((a, b) => a + b, 0) / n.length : null; } };
    case 'min': return { alias, money, compute: (rows: Row[]) => values(rows).reduce<unknown>((a, b) => (a === undefined || sortCompare(b, a) < 0 ? b : a), undefined) ?? null };
    case 'max': return { alias, money, compute: (rows: Row[]) => values(rows).reduce<unknown>((a, b) => (a === undefined || sortCompare(b, a) > 0 ? b : a), undefined) ?? null };
    case 'countdistinct': return { alias, money: false, compute: (rows: Row[]) => new Set(values(rows).map((v) => (typeof v === 'string' ? collationKey(v) : v))).size };
    default: throw queryError(`The aggregation method '${item.method}' is not supported.`);
  }
}
