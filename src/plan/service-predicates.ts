/**
 * dynasql's own predicates for what only the service knows, one per FetchXML condition operator
 * (FetchXML doc §1.2): a table's hierarchy, the calling user, and dates relative to the user's
 * calendar. The local engine cannot evaluate them (it knows neither the hierarchy's lookup, nor
 * the user, nor the user's time zone), so a statement using one goes as FetchXML or is refused
 * while planning, naming why (pushdown/remote-language.ts).
 *
 *   WHERE UNDER(accountid, '…')          → <condition attribute="accountid" operator="under" value="…"/>
 *   WHERE LAST_X_DAYS(createdon, 7)      → <condition attribute="createdon" operator="last-x-days" value="7"/>
 *   WHERE ownerid = CURRENT_USER_ID()    → <condition attribute="ownerid" operator="eq-userid"/>
 *   WHERE IN_FISCAL_PERIOD_AND_YEAR(createdon, 3, 2024)
 *     → <condition attribute="createdon" operator="in-fiscal-period-and-year"><value>3</value><value>2024</value></condition>
 *
 * The fiscal ones follow the organization's fiscal settings and the service's reading of the
 * user's time zone; FISCAL_YEAR() / FISCAL_PERIOD() (fiscal.ts) are their computable kin in UTC.
 */
import { DynasqlError } from '../errors/index.js';

export interface ServicePredicate {
  /** the FetchXML condition operator */
  operator: string;
  /**
   * what follows the column: nothing, a record id (hierarchy), a whole number (the X of `last-x-days`,
   * the year of `in-fiscal-year`), or a fiscal period's number and its year (`in-fiscal-period-and-year`)
   */
  value: 'none' | 'id' | 'count' | 'periodAndYear';
}

// Under NOT only UNDER and EQ_OR_UNDER go (with `not-under` and the record's own `eq` / `ne`, exact
// whether or not `not-under` keeps the record itself, which the docs do not say): fetchxml-filter.ts.
const HIERARCHY: Record<string, ServicePredicate> = {
  UNDER: { operator: 'under', value: 'id' },
  EQ_OR_UNDER: { operator: 'eq-or-under', value: 'id' },
  NOT_UNDER: { operator: 'not-under', value: 'id' },
  ABOVE: { operator: 'above', value: 'id' },
  EQ_OR_ABOVE: { operator: 'eq-or-above', value: 'id' },
};

const RELATIVE_DAYS = ['today', 'yesterday', 'tomorrow', 'this-week', 'this-month', 'this-year', 'last-week', 'last-month', 'last-year',
  'next-week', 'next-month', 'next-year', 'last-seven-days', 'next-seven-days'];
const RELATIVE_X = ['last-x-hours', 'last-x-days', 'last-x-weeks', 'last-x-months', 'last-x-years', 'next-x-hours', 'next-x-days', 'next-x-weeks',
  'next-x-months', 'next-x-years', 'olderthan-x-minutes', 'olderthan-x-hours', 'olderthan-x-days', 'olderthan-x-weeks', 'olderthan-x-months', 'olderthan-x-years'];

const FISCAL_NONE = ['this-fiscal-year', 'this-fiscal-period', 'last-fiscal-year', 'last-fiscal-period', 'next-fiscal-year', 'next-fiscal-period'];
/** `in-fiscal-year` takes a year, `in-fiscal-period` a period number (of any year), the `x` ones a count */
const FISCAL_ONE = ['last-x-fiscal-years', 'last-x-fiscal-periods', 'next-x-fiscal-years', 'next-x-fiscal-periods', 'in-fiscal-year', 'in-fiscal-period'];
const FISCAL_TWO = ['in-fiscal-period-and-year', 'in-or-before-fiscal-period-and-year', 'in-or-after-fiscal-period-and-year'];

/** `last-x-days` → LAST_X_DAYS, `olderthan-x-days` → OLDER_THAN_X_DAYS */
const sqlName = (operator: string) => operator.replace('olderthan', 'older-than').replace(/-/g, '_').toUpperCase();

/** the predicates by their SQL name (upper case) */
export const SERVICE_PREDICATES: Readonly<Record<string, ServicePredicate>> = {
  ...HIERARCHY,
  ...Object.fromEntries(RELATIVE_DAYS.map((op) => [sqlName(op), { operator: op, value: 'none' } as ServicePredicate])),
  ...Object.fromEntries(RELATIVE_X.map((op) => [sqlName(op), { operator: op, value: 'count' } as ServicePredicate])),
  ...Object.fromEntries(FISCAL_NONE.map((op) => [sqlName(op), { operator: op, value: 'none' } as ServicePredicate])),
  ...Object.fromEntries(FISCAL_ONE.map((op) => [sqlName(op), { operator: op, value: 'count' } as ServicePredicate])),
  ...Object.fromEntries(FISCAL_TWO.map((op) => [sqlName(op), { operator: op, value: 'periodAndYear' } as ServicePredicate])),
};

/**
 * The names a predicate is written with: dynasql's (`LAST_X_DAYS`) and the operator's without its
 * dashes (`LASTXDAYS`, `OLDERTHANXDAYS`, `EQORUNDER`), as other SQL tools for Dataverse spell them.
 */
export function predicateSpellings(name: string): string[] {
  const compact = SERVICE_PREDICATES[name]!.operator.replace(/-/g, '').toUpperCase();
  return compact === name ? [name] : [name, compact];
}

/** `CURRENT_USER_ID()`: the calling user's id, compared with `=` (`eq-userid`) or `<>` (`ne-userid`) */
export const CURRENT_USER_ID = 'CURRENT_USER_ID';

/** the local form of each: there is none */
export function serviceOnly(name: string): never {
  throw new DynasqlError('DYNASQL_ERR_UNSUPPORTED_SQL',
    `Unsupported SQL: ${name}() is answered by the service alone, as a FetchXML condition of the table's own column in WHERE, `
    + 'and this statement does not go as FetchXML (Remote Language=OData, or a part FetchXML cannot express)');
}
