import type { EntityTypeDef } from './metadata/model.js';
import type { Store } from './store/store.js';

/**
 * Money in more than one currency (README, "Currencies"). Each money column `revenue` has a
 * read-only twin `revenue_base` holding the value in the organization's base currency, computed by
 * the service as `revenue_base = revenue / exchangerate` (the Transaction Currency table page of the
 * Dataverse docs), `exchangerate` being the record's rate: how many units of its currency make one
 * unit of the base currency (USD 1, EUR 0.92, JPY 151.2 here).
 *
 *   revenue 1,000,000 in JPY at 151.2  →  revenue_base 6613.7566
 *
 * The result is kept to money's 4 decimals (SQL Server money; MoneyAttributeMetadata's largest
 * precision is 4); how the service rounds the fifth is not documented: half away from zero here.
 */
export function baseValue(value: number, exchangeRate: number): number {
  const scaled = (value / exchangeRate) * 10_000;
  return (Math.sign(scaled) * Math.round(Math.abs(scaled))) / 10_000;
}

/** `revenue` has a `revenue_base` twin: a money column in its record's currency */
export function hasBaseTwin(entity: EntityTypeDef, property: string): boolean {
  return entity.properties.has(`${property}_base`);
}

/** more than one `transactioncurrency` row: the org's records may be in different currencies */
export function severalCurrencies(store: Store): boolean {
  return (store.table('transactioncurrency')?.count() ?? 0) > 1;
}

/**
 * The column an aggregate reads. Reported, docs silent: the service's aggregate engine (FetchXML and
 * `$apply` alike) computes SUM, AVG, MIN and MAX of a money column over its base-currency values, so
 * in an org with several currencies `SUM(revenue)` adds `revenue_base` (a practitioner's blog,
 * blog.csdn.net/u012664198/article/details/82015474: "the sum of a currency field is the sum of its
 * base field"; Microsoft's knowledge article KA-22864: sums in an opportunity view are in the base
 * currency; SQL 4 CDS will not push such an aggregate when an org has more than one currency). With
 * one currency every rate is 1 and the two columns hold the same values, so the column itself is read.
 *
 *   sum of revenue, two currencies  →  sum of revenue_base
 */
export function aggregatedProperty(store: Store, entity: EntityTypeDef, property: string, method: string): string {
  if (!VALUE_METHODS.has(method) || !hasBaseTwin(entity, property) || !severalCurrencies(store)) return property;
  return `${property}_base`;
}

/** `$apply`'s and FetchXML's names of SUM, AVG, MIN and MAX; counts are not of values */
const VALUE_METHODS = new Set(['sum', 'average', 'avg', 'min', 'max']);
