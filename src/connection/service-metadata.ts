/**
 * The connection's copy of the metadata push-down asks for beyond `$metadata` (pushdown/service-metadata.ts):
 * a choice's option labels (a yes/no column's two), a table's primary name column, and the kinds of
 * a table's columns, read from the metadata Web API (fetchxml-delta-metadata doc §3) the first time a
 * statement needs them (a filter on a display column; an aggregate of, or a filter on, a column
 * `$metadata` leaves open: pushdown/column-kinds.ts), and kept until the catalog is refreshed.
 *
 *   EntityDefinitions(LogicalName='contact')?$select=PrimaryNameAttribute            → fullname
 *   EntityDefinitions(LogicalName='account')/Attributes(LogicalName='industrycode')
 *     /Microsoft.Dynamics.CRM.PicklistAttributeMetadata?$select=LogicalName&$expand=OptionSet($select=Options),GlobalOptionSet($select=Options)
 *   EntityDefinitions(LogicalName='contact')/Attributes(LogicalName='donotemail')
 *     /Microsoft.Dynamics.CRM.BooleanAttributeMetadata?$select=LogicalName&$expand=OptionSet,GlobalOptionSet
 *     → OptionSet: { TrueOption: { Value: 1, Label }, FalseOption: { Value: 0, Label } }
 *   EntityDefinitions(LogicalName='systemuser')/Attributes?$select=LogicalName,AttributeType,AttributeTypeName
 *     → value: [{ LogicalName: 'accessmode', AttributeType: 'Picklist', AttributeTypeName: { Value: 'PicklistType' } }, …]
 *   transactioncurrencies?$select=transactioncurrencyid&$top=2   → one row, or two: the org has several
 *     currencies, and SUM / AVG / MIN / MAX of money stay local (pushdown/money-aggregates.ts)
 *
 * AttributeType is the AttributeTypeCode enumeration, which the Web API writes by member name; a
 * multi-select choice is `Virtual` there and told by AttributeTypeName `MultiSelectPicklistType`
 * (the SDK's AttributeTypeDisplayName). The collection under one table is not paged (doc §3.2).
 *
 * A yes/no column's option set is the SDK's BooleanOptionSetMetadata (TrueOption, FalseOption); the
 * Web API pages we read show the cast by name only, not that answer [unverified].
 *
 * A refused request leaves that metadata unknown for good (`null`): the filter is then evaluated
 * locally, which gives the same rows.
 */
import type { Executor } from '../http/index.js';
import { odataLiteral } from '../odata/index.js';
import type { AttributeKind, ChoiceOption, MetadataNeed, ServiceMetadata } from '../pushdown/index.js';

interface Label { UserLocalizedLabel?: { Label?: string } | null; LocalizedLabels?: { Label?: string }[] }
interface Option { Value?: number; Label?: Label }
interface OptionSetBody { Options?: Option[]; TrueOption?: Option | null; FalseOption?: Option | null }
interface AttributeBody { OptionSet?: OptionSetBody | null; GlobalOptionSet?: OptionSetBody | null }
interface AttributeKindBody { LogicalName?: unknown; AttributeType?: unknown; AttributeTypeName?: { Value?: unknown } | null }

const key = (table: string, column: string) => `${table}\u0000${column}`;

/** `LogicalName='account'` with the name as a string literal, percent-encoded for the path */
const byName = (name: string) => `LogicalName=${encodeURIComponent(odataLiteral(name, { edmType: 'Edm.String' }))}`;

/**
 * The cast that carries a choice column's options: the status reason and the state have their own
 * metadata types (`StatusAttributeMetadata`, `StateAttributeMetadata`); other choices are picklists.
 */
function castOf(column: string): string {
  if (column === 'statecode') return 'StateAttributeMetadata';
  if (column === 'statuscode') return 'StatusAttributeMetadata';
  return 'PicklistAttributeMetadata';
}

export class ServiceMetadataCache implements ServiceMetadata {
  private readonly choices = new Map<string, readonly ChoiceOption[] | null>();
  private readonly primaryNames = new Map<string, string | null>();
  private readonly kinds = new Map<string, ReadonlyMap<string, AttributeKind> | null>();
  private several: boolean | null | undefined;

  constructor(private readonly executor: Executor) {}

  choiceOptions(table: string, column: string): readonly ChoiceOption[] | null | undefined {
    return this.choices.get(key(table, column));
  }

  primaryName(table: string): string | null | undefined {
    return this.primaryNames.get(table);
  }

  attributeKinds(table: string): ReadonlyMap<string, AttributeKind> | null | undefined {
    return this.kinds.get(table);
  }

  severalCurrencies(): boolean | null | undefined {
    return this.several;
  }

  /** reads what one planning lacked, all at once */
  async load(needs: readonly MetadataNeed[], signal: AbortSignal | undefined): Promise<void> {
    await Promise.all(needs.map(async (need) => {
      if (need.kind === 'currencies') {
        // two rows are enough to know there is more than one (pushdown/money-aggregates.ts)
        const body = await this.read<{ value?: unknown[] }>('transactioncurrencies?$select=transactioncurrencyid&$top=2', signal);
        this.several = Array.isArray(body?.value) ? body.value.length > 1 : null;
      } else if (need.kind === 'primaryName') {
        const body = await this.read<{ PrimaryNameAttribute?: string | null }>(`EntityDefinitions(${byName(need.table)})?$select=PrimaryNameAttribute`, signal);
        this.primaryNames.set(need.table, typeof body?.PrimaryNameAttribute === 'string' && body.PrimaryNameAttribute !== '' ? body.PrimaryNameAttribute : null);
      } else if (need.kind === 'attributeKinds') {
        const body = await this.read<{ value?: AttributeKindBody[] }>(`EntityDefinitions(${byName(need.table)})/Attributes?$select=LogicalName,AttributeType,AttributeTypeName`, signal);
        this.kinds.set(need.table, kindsOf(body?.value));
      } else if (need.yesNo) {
        const url = `EntityDefinitions(${byName(need.table)})/Attributes(${byName(need.column)})/Microsoft.Dynamics.CRM.BooleanAttributeMetadata`
          + '?$select=LogicalName&$expand=OptionSet,GlobalOptionSet';
        const body = await this.read<AttributeBody>(url, signal);
        this.choices.set(key(need.table, need.column), yesNoOptionsOf(body));
      } else {
        const url = `EntityDefinitions(${byName(need.table)})/Attributes(${byName(need.column)})/Microsoft.Dynamics.CRM.${castOf(need.column)}`
          + '?$select=LogicalName&$expand=OptionSet($select=Options),GlobalOptionSet($select=Options)';
        const body = await this.read<AttributeBody>(url, signal);
        this.choices.set(key(need.table, need.column), optionsOf(body));
      }
    }));
  }

  /** the answer's JSON, or undefined when the service refuses (the filter then stays local) */
  private async read<T>(url: string, signal: AbortSignal | undefined): Promise<T | undefined> {
    const response = await this.executor.send({ method: 'GET', url, headers: { Accept: 'application/json' }, idempotent: true, throwOnError: false, ...(signal ? { signal } : {}) });
    if (response.status >= 300) return undefined;
    try {
      return response.json<T>();
    } catch {
      return undefined;
    }
  }
}

/** each column's kind by logical name; null when the answer is not a list of named, typed columns */
function kindsOf(attributes: AttributeKindBody[] | undefined): ReadonlyMap<string, AttributeKind> | null {
  if (!Array.isArray(attributes)) return null;
  const kinds = new Map<string, AttributeKind>();
  for (const attribute of attributes) {
    if (typeof attribute?.LogicalName !== 'string' || typeof attribute.AttributeType !== 'string') return null;
    kinds.set(attribute.LogicalName, kindOf(attribute.AttributeType, attribute.AttributeTypeName?.Value));
  }
  return kinds;
}

function kindOf(type: string, typeName: unknown): AttributeKind {
  if (type === 'Picklist' || type === 'State' || type === 'Status') return 'choice';
  if (type === 'Boolean') return 'yesNo';
  if (typeName === 'MultiSelectPicklistType') return 'multiSelect';
  return 'other';
}

/** the options with their labels in the user's language; null unless every option has a value and a label */
function optionsOf(body: AttributeBody | undefined): readonly ChoiceOption[] | null {
  const set = body?.OptionSet ?? body?.GlobalOptionSet;
  if (!set || !Array.isArray(set.Options)) return null;
  const options: ChoiceOption[] = [];
  for (const option of set.Options) {
    const label = labelOf(option);
    if (typeof option.Value !== 'number' || label === undefined) return null;
    options.push({ value: option.Value, label });
  }
  return options;
}

/** a yes/no column's labels: its true option as 1, its false option as 0; null unless both have a label */
function yesNoOptionsOf(body: AttributeBody | undefined): readonly ChoiceOption[] | null {
  const set = body?.OptionSet ?? body?.GlobalOptionSet;
  const yes = set?.TrueOption ? labelOf(set.TrueOption) : undefined;
  const no = set?.FalseOption ? labelOf(set.FalseOption) : undefined;
  return yes === undefined || no === undefined ? null : [{ value: 1, label: yes }, { value: 0, label: no }];
}

function labelOf(option: Option): string | undefined {
  const label = option.Label?.UserLocalizedLabel?.Label ?? option.Label?.LocalizedLabels?.[0]?.Label;
  return typeof label === 'string' ? label : undefined;
}
