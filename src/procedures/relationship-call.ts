/**
 * The built-in Associate / Disassociate procedures → `$ref` requests (protocol §4):
 *
 *   EXEC Associate @Table='account', @Id='<a>', @Relationship='contact_customer_accounts', @RelatedId='<c>'
 *     → POST   accounts(<a>)/contact_customer_accounts/$ref   {"@odata.id":"<root>contacts(<c>)"}
 *   EXEC Disassociate …the same…
 *     → DELETE accounts(<a>)/contact_customer_accounts/$ref?$id=<root>contacts(<c>)
 *
 * `@Relationship` is the navigation property on `@Table` (as sys_foreignkeys.navigation_property
 * lists it), for many-to-many and one-to-many relationships; a single-valued one (many-to-one) uses
 * `PUT …/<nav>/$ref` and `DELETE …/<nav>/$ref`. The related table is the relationship's other end
 * unless `@RelatedTable` names a table of that type (polymorphic lookups).
 */
import { indexCatalog } from '../catalog/index.js';
import type { Catalog } from '../catalog/types.js';
import { closestName } from '../errors/index.js';
import { encodeQueryOptionValue } from '../odata/index.js';
import { parameterError } from './convert-value.js';
import { recordPath } from './entity-reference.js';
import { jsonText } from './json-text.js';
import type { MatchedCall } from './lower-call.js';

export interface ReferenceRequest {
  method: 'POST' | 'PUT' | 'DELETE';
  url: string;
  body?: string;
}

function text(call: MatchedCall, name: string): string | undefined {
  const found = call.values.find((v) => v.parameter.name === name);
  if (!found || found.value === null || found.value === undefined) return undefined;
  if (typeof found.value !== 'string' && typeof found.value !== 'number') throw parameterError(name, 'expected text');
  return String(found.value);
}

export function lowerRelationshipCall(catalog: Catalog, call: MatchedCall, serviceRoot: string, associate: boolean): ReferenceRequest {
  const index = indexCatalog(catalog);
  const tableName = text(call, 'Table')!;
  const table = index.table(tableName);
  if (!table) {
    const guess = closestName(tableName, catalog.tables.map((t) => t.name));
    throw parameterError('Table', `unknown table '${tableName}'.${guess ? ` Did you mean '${guess}'?` : ''}`);
  }
  const navigation = text(call, 'Relationship')!;
  const relationship = table.relationships.find((r) => r.navigation.toLowerCase() === navigation.toLowerCase());
  if (!relationship) {
    const guess = closestName(navigation, table.relationships.map((r) => r.navigation));
    throw parameterError('Relationship', `table '${table.name}' has no relationship '${navigation}'.${guess ? ` Did you mean '${guess}'?` : ''}`);
  }
  const relatedName = text(call, 'RelatedTable') ?? relationship.toTable;
  const related = index.table(relatedName);
  if (!related) throw parameterError('RelatedTable', `unknown table '${relatedName}'`);
  const source = recordPath(index, 'Id', text(call, 'Id')!, table).path;
  const target = recordPath(index, 'RelatedId', text(call, 'RelatedId')!, related).path;
  const ref = `${source}/${relationship.navigation}/$ref`;
  const body = jsonText({ '@odata.id': `${serviceRoot}${target}` });
  if (relationship.kind === 'many-to-one') return associate ? { method: 'PUT', url: ref, body } : { method: 'DELETE', url: ref };
  if (associate) return { method: 'POST', url: ref, body };
  return { method: 'DELETE', url: `${ref}?$id=${encodeQueryOptionValue(`${serviceRoot}${target}`)}` };
}
