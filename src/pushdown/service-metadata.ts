/**
 * What push-down reads of the service's metadata beyond `$metadata`, which lacks it: a choice's
 * option labels, a table's primary name column, and the kind of each of a table's columns (the
 * metadata Web API, loaded by the connection). With them a filter on a display column goes to the
 * service:
 *
 *   industrycodename = 'Accounting'        → industrycode eq 1            (the labels of industrycode)
 *   donotemailname = 'Do Not Allow'        → donotemail eq true           (a yes/no column's two labels)
 *   primarycontactidname = 'Mark Carrington' → primarycontactid/fullname eq 'Mark Carrington'  (contact's primary name)
 *
 * and a column's kind keeps local what the service refuses or answers its own way, which `$metadata`
 * cannot tell (a choice is `Edm.Int32` there, a multi-select choice `Edm.String`: column-kinds.ts):
 *
 *   MAX(accessmode)                  → computed locally     (systemuser.accessmode is a Picklist)
 *
 * and whether the org has more than one currency keeps local what the service would compute over
 * base-currency values (money-aggregates.ts):
 *
 *   SUM(revenue)                     → computed locally     (the org has USD and EUR records)
 *
 * Planning stays pure: the reader answers from what was loaded and records what was missing; the
 * connection loads that and plans again (connection/service-metadata.ts).
 */

/** a choice's option, or one of a yes/no column's two (value 1 for true, 0 for false) */
export interface ChoiceOption { value: number; label: string }

/**
 * A column's kind as the metadata API names it (its AttributeType): `choice` a Picklist, State or
 * Status; `multiSelect` a multi-select choice (AttributeType Virtual, AttributeTypeName
 * MultiSelectPicklistType); `yesNo` a Boolean; `other` anything else.
 */
export type AttributeKind = 'choice' | 'multiSelect' | 'yesNo' | 'other';

/**
 * metadata one planning lacked: the connection loads it before planning again; `yesNo`: the
 * column is a yes/no (Boolean) one, whose labels are its true and false options
 */
export type MetadataNeed =
  | { kind: 'choiceOptions'; table: string; column: string; yesNo?: true }
  | { kind: 'primaryName'; table: string }
  | { kind: 'attributeKinds'; table: string }
  | { kind: 'currencies' };

/**
 * Loaded metadata: `undefined` when not loaded yet, `null` when the service has none to give (a
 * column that is no choice, a table without a primary name, a refused request): the filter then
 * stays local.
 */
export interface ServiceMetadata {
  choiceOptions(table: string, column: string): readonly ChoiceOption[] | null | undefined;
  primaryName(table: string): string | null | undefined;
  /** the kinds of a table's columns by logical name */
  attributeKinds(table: string): ReadonlyMap<string, AttributeKind> | null | undefined;
  /** whether the org has more than one currency (`transactioncurrency` row): money-aggregates.ts */
  severalCurrencies(): boolean | null | undefined;
}

/** one planning's view of the metadata: the answers, and the needs it could not answer */
export class MetadataReader {
  readonly needs: MetadataNeed[] = [];

  constructor(private readonly source: ServiceMetadata | undefined) {}

  choiceOptions(table: string, column: string, yesNo = false): readonly ChoiceOption[] | undefined {
    const options = this.source?.choiceOptions(table, column);
    if (options === undefined && this.source) this.need({ kind: 'choiceOptions', table, column, ...(yesNo ? { yesNo: true as const } : {}) });
    return options ?? undefined;
  }

  primaryName(table: string): string | undefined {
    const name = this.source?.primaryName(table);
    if (name === undefined && this.source) this.need({ kind: 'primaryName', table });
    return name ?? undefined;
  }

  /**
   * The column's kind; `unknown` when the service would not say (a refused request, a column it did
   * not list), undefined without a metadata source (F&O, planning offline: EXPLAIN of a plan alone)
   * or while not loaded yet (the need is recorded, and the statement planned again once it is).
   */
  attributeKind(table: string, column: string): AttributeKind | 'unknown' | undefined {
    if (!this.source) return undefined;
    const kinds = this.source.attributeKinds(table);
    if (kinds === undefined) {
      this.need({ kind: 'attributeKinds', table });
      return undefined;
    }
    return kinds?.get(column) ?? 'unknown';
  }

  /**
   * Whether the org has more than one currency; `unknown` when the service would not say, undefined
   * without a metadata source (F&O, planning offline) or while not read yet (the need is recorded).
   */
  severalCurrencies(): boolean | 'unknown' | undefined {
    if (!this.source) return undefined;
    const several = this.source.severalCurrencies();
    if (several === undefined) this.need({ kind: 'currencies' });
    return several === null ? 'unknown' : several;
  }

  private need(need: MetadataNeed): void {
    if (!this.needs.some((n) => JSON.stringify(n) === JSON.stringify(need))) this.needs.push(need);
  }
}
