import type { EntityTypeDef, PropertyDef } from '../metadata/model.js';
import type { ChoiceLabels } from '../seed/choices.js';
import type { Row } from '../store/row.js';
import type { Store } from '../store/store.js';
import { responseValue } from './exact-decimals.js';
import { type Preferences, wantsAnnotation } from './prefer.js';

export const FORMATTED = 'OData.Community.Display.V1.FormattedValue';
export const LOOKUP_LOGICAL_NAME = 'Microsoft.Dynamics.CRM.lookuplogicalname';
export const ASSOCIATED_NAV = 'Microsoft.Dynamics.CRM.associatednavigationproperty';

/** The column a record is known by, for lookup FormattedValues: account → name, contact → fullname. */
export function primaryNameOf(entity: EntityTypeDef): string | undefined {
  for (const name of ['name', 'fullname', 'title', 'subject', 'currencyname', 'ticketnumber', 'ordernumber']) if (entity.properties.has(name)) return name;
  return undefined;
}

export const isMoney = (entity: EntityTypeDef, property: PropertyDef) =>
  property.type === 'Edm.Decimal' && (entity.properties.has(`${property.name}_base`) || (property.name.endsWith('_base') && entity.properties.has(property.name.slice(0, -5))));

/** every yes/no column's two labels here (the service's are per column: `donotemail` shows Allow / Do Not Allow) */
export const YES_NO = { yes: 'Yes', no: 'No' } as const;

export interface Formatter {
  store: Store;
  choices: ChoiceLabels;
  /** multi-select choices' labels: "1,9" shows "Swimming; Camping" */
  multiSelect?: ChoiceLabels;
  prefs: Preferences;
}

const numberFormat = new Intl.NumberFormat('en-US', { maximumFractionDigits: 10 });
const moneyFormat = new Intl.NumberFormat('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 });

/** en-US display form, in UTC: `4/7/2023 2:59 PM`; date-only `4/7/2023`. */
function formatDate(value: string, dateOnly: boolean): string {
  const d = new Date(value.length === 10 ? `${value}T00:00:00Z` : value);
  if (Number.isNaN(d.getTime())) return value;
  const date = `${d.getUTCMonth() + 1}/${d.getUTCDate()}/${d.getUTCFullYear()}`;
  if (dateOnly) return date;
  const h = d.getUTCHours();
  return `${date} ${h % 12 === 0 ? 12 : h % 12}:${String(d.getUTCMinutes()).padStart(2, '0')} ${h < 12 ? 'AM' : 'PM'}`;
}

/** FormattedValue of one plain (non-lookup) column, or undefined when the service would not send one. */
export function formattedValue(f: Formatter, entity: EntityTypeDef, row: Row, property: PropertyDef, value: unknown): string | undefined {
  if (value === null || value === undefined) return undefined;
  const labels = f.choices[entity.name]?.[property.name];
  if (labels && typeof value === 'number') return labels[value] ?? String(value);
  const options = f.multiSelect?.[entity.name]?.[property.name];
  if (options && typeof value === 'string') return value.split(',').map((v) => options[Number(v)] ?? v.trim()).join('; ');
  switch (property.type) {
    case 'Edm.Boolean': return value ? YES_NO.yes : YES_NO.no;
    case 'Edm.DateTimeOffset': return formatDate(String(value), false);
    case 'Edm.Date': return formatDate(String(value), true);
    case 'Edm.Decimal':
      if (isMoney(entity, property)) return `${currencySymbol(f, row)}${moneyFormat.format(Number(value))}`;
      return numberFormat.format(Number(value));
    case 'Edm.Int32': case 'Edm.Int64': case 'Edm.Double':
      if (property.name === 'versionnumber') return undefined;
      return numberFormat.format(Number(value));
    default: return undefined;
  }
}

function currencySymbol(f: Formatter, row: Row): string {
  const id = row.values._transactioncurrencyid_value;
  if (typeof id !== 'string') return '$';
  const currency = f.store.find('transactioncurrency', id);
  return (currency?.row.values.currencysymbol as string | undefined) ?? '$';
}

/**
 * Writes one column with its annotations into `out`, in the service's order: annotations first,
 * then the value. e.g. `revenue@OData.Community.Display.V1.FormattedValue: "$100,000.00", revenue: 100000`.
 */
export function writeColumn(f: Formatter, entity: EntityTypeDef, row: Row, property: PropertyDef, out: Record<string, unknown>) {
  const name = property.name;
  const value = row.values[name] ?? null;
  const navs = entity.lookups.get(name);
  if (navs && value !== null) {
    const storedType = row.lookupTypes[name];
    // The most specific navigation wins: an activity's own `regardingobjectid_account_task` over the inherited one.
    const nav = [...navs].reverse().find((n) => n.target === storedType) ?? navs[0]!;
    const logicalName = storedType ?? nav.target;
    if (wantsAnnotation(f.prefs, FORMATTED)) {
      const target = f.store.find(logicalName, String(value));
      const primary = target && primaryNameOf(target.table.entity);
      if (primary && target.row.values[primary] != null) out[`${name}@${FORMATTED}`] = String(target.row.values[primary]);
    }
    if (wantsAnnotation(f.prefs, ASSOCIATED_NAV)) out[`${name}@${ASSOCIATED_NAV}`] = nav.name;
    if (wantsAnnotation(f.prefs, LOOKUP_LOGICAL_NAME)) out[`${name}@${LOOKUP_LOGICAL_NAME}`] = logicalName;
  } else if (wantsAnnotation(f.prefs, FORMATTED)) {
    const formatted = formattedValue(f, entity, row, property, value);
    if (formatted !== undefined) out[`${name}@${FORMATTED}`] = formatted;
  }
  out[name] = responseValue(row, name, value);
}
