/**
 * `$apply` text: an optional `filter(...)`, then `groupby((a,b),aggregate(...))` or a bare
 * `aggregate(...)` (protocol doc §1.4). Aliases are generated identifiers (`a1`, `a2` …), never user
 * text. `serializeApply({groupBy:['statecode'], aggregates:[{method:'count', alias:'a1'}]})` →
 * `groupby((statecode),aggregate($count as a1))`.
 */
import { serializeFilter, type ODataFilter } from './filter.js';

export interface ApplyAggregate {
  /** `$count` when absent */
  property?: string;
  method: 'sum' | 'min' | 'max' | 'count';
  alias: string;
}

export interface ApplySpec {
  filter?: ODataFilter;
  groupBy: string[];
  aggregates: ApplyAggregate[];
}

export function serializeApply(spec: ApplySpec): string {
  const steps: string[] = [];
  if (spec.filter) steps.push(`filter(${serializeFilter(spec.filter)})`);
  const aggregate = spec.aggregates.length > 0
    ? `aggregate(${spec.aggregates.map((a) => (a.method === 'count' ? `$count as ${a.alias}` : `${a.property} with ${a.method} as ${a.alias}`)).join(',')})`
    : '';
  if (spec.groupBy.length > 0) steps.push(`groupby((${spec.groupBy.join(',')})${aggregate ? `,${aggregate}` : ''})`);
  else if (aggregate) steps.push(aggregate);
  return steps.join('/');
}
