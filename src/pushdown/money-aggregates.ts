/**
 * SUM / AVG / MIN / MAX of a money column in an org with more than one currency stay local. Each
 * record's money is in its own currency, and the column's `_base` twin holds it in the org's base
 * currency (`revenue_base = revenue / exchangerate`, documented); the service is reported to compute
 * these aggregates over the base values whichever column is named (docs silent: a practitioner's
 * blog, blog.csdn.net/u012664198/article/details/82015474, and Microsoft's knowledge article KA-22864
 * on views' sums; SQL 4 CDS refuses to push them in a multi-currency org). T-SQL's SUM(revenue) adds
 * the records' own values, so the service's answer would be another number:
 *
 *   SELECT SUM(revenue) FROM account      one currency    → $apply=aggregate(revenue with sum as a1)
 *                                         USD and EUR     → accounts?$select=revenue, summed locally
 *
 * Whether there is more than one currency is one request per connection, made only when such an
 * aggregate would be sent (`transactioncurrencies?$select=transactioncurrencyid&$top=2`:
 * connection/service-metadata.ts); when the service does not answer it, the aggregate stays local,
 * which gives the same rows. The `_base` columns themselves and COUNT are exact either way.
 */
import type { Column } from '../catalog/types.js';
import type { MetadataReader } from './service-metadata.js';

/** `revenue`: money in its record's currency; not `revenue_base`, already in the base currency */
function inRecordCurrency(column: Column): boolean {
  return column.sqlType.name === 'money' && !column.name.toLowerCase().endsWith('_base');
}

/** why the service would not compute SUM / AVG / MIN / MAX of `column` as T-SQL does, or undefined */
export function moneyAggregateRefusal(column: Column, metadata: MetadataReader | undefined): string | undefined {
  if (!metadata || !inRecordCurrency(column)) return undefined;
  const several = metadata.severalCurrencies();
  if (several === true) {
    return `${column.name} is money in each record's currency and the org has more than one currency: the service aggregates its base-currency values (${column.name}_base); computed locally`;
  }
  if (several === 'unknown') return `the service did not say whether the org has more than one currency, in which case it aggregates ${column.name}_base for ${column.name}; computed locally`;
  return undefined;
}
