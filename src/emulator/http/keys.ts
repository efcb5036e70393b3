import { ODataError, queryError, recordNotFound, segmentNotFound } from '../errors.js';
import type { EntityTypeDef } from '../metadata/model.js';
import type { Row } from '../store/row.js';
import type { Table } from '../store/table.js';
import type { EmulatorState } from '../state.js';
import { parseArgs, splitPath, unquote } from './path.js';

const GUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;
export const isGuid = (text: string) => GUID.test(text);

const invalidKey = (entity: EntityTypeDef) =>
  queryError(`The key in the request URI is not valid for resource '${entity.qualifiedName}'. Ensure that the names and number of key properties match the declared or alternate key properties for the resource '${entity.qualifiedName}'.`);

/**
 * The record a key segment names: `(guid)`, `(accountid=guid)`, or an alternate key such as
 * `(accountnumber='ABC123')` (declared in metadata, or any column for the emulator's tables —
 * see README). Returns the key GUID even when the record does not exist, for upserts.
 */
export function resolveKey(state: EmulatorState, table: Table, args: string): { id?: string; row?: Row } {
  const entity = table.entity;
  const parsed = parseArgs(args);
  const pk = entity.key[0]!;
  if (parsed.bare !== undefined) {
    if (!isGuid(parsed.bare)) {
      if (/^guid'/i.test(args)) throw queryError(`Unrecognized 'Edm.String' literal '${args}' at '0' in '${args}'.`);
      throw invalidKey(entity);
    }
    const id = parsed.bare.toLowerCase();
    return { id, row: table.get(id) };
  }
  const named = parsed.named;
  if (named.size === 1 && named.has(pk)) {
    if (entity.name === 'systemuser' || entity.name === 'team') throw invalidKey(entity);
    const value = unquote(named.get(pk)!);
    if (!isGuid(value)) throw invalidKey(entity);
    return { id: value.toLowerCase(), row: table.get(value) };
  }
  const names = [...named.keys()].sort();
  const declared = entity.alternateKeys.some((k) => [...k].sort().join(',') === names.join(','));
  if (!declared && !names.every((n) => entity.properties.has(n))) throw invalidKey(entity);
  const wanted = [...named].map(([name, text]) => [name, literalValue(text)] as const);
  for (const row of table.scan()) {
    if (wanted.every(([name, value]) => sameKeyValue(row.values[name], value))) {
      return { id: String(row.values[pk]), row };
    }
  }
  return {};
}

function literalValue(text: string): unknown {
  if (/^'.*'$/s.test(text)) return unquote(text);
  if (text === 'null') return null;
  if (text === 'true' || text === 'false') return text === 'true';
  if (/^-?\d+(\.\d+)?$/.test(text)) return Number(text);
  return text;
}

const sameKeyValue = (a: unknown, b: unknown) =>
  typeof a === 'string' && typeof b === 'string' ? a.toLowerCase() === b.toLowerCase() : a === b;

/**
 * An entity reference as used in `@odata.bind` and `$ref` bodies: `/contacts(id)`, `contacts(id)`,
 * an absolute URL, or a $batch Content-ID reference `$1`.
 */
export function resolveReference(state: EmulatorState, ref: string, contentIds?: Map<string, string>): { table: Table; id: string; row: Row } {
  let text = ref.trim();
  const content = /^\$(\d+)(.*)$/.exec(text);
  if (content) {
    const url = contentIds?.get(content[1]!);
    if (!url) throw new ODataError(400, '0x80060888', `Content-ID Reference: '$${content[1]}' does not exist in the batch context.`);
    text = url + content[2];
  }
  text = text.replace(/^[a-z]+:\/\/[^/]+/i, '').replace(/^\//, '');
  text = text.replace(/^api\/data\/v\d+\.\d+\//, '').replace(/^data\//, '');
  let decoded = text;
  try {
    decoded = decodeURIComponent(text);
  } catch {
    throw queryError(`The reference '${ref}' is not a valid URL.`);
  }
  const segments = splitPath(decoded);
  const first = segments[0];
  const entity = first ? state.model.entitySets.get(first.name) : undefined;
  if (!first || !entity || first.args === undefined || segments.length !== 1) throw segmentNotFound(first?.name ?? ref);
  const table = state.store.table(entity.name)!;
  const { id, row } = resolveKey(state, table, first.args);
  if (!id || !row) throw recordNotFound(entity.name, id ?? first.args);
  return { table, id, row };
}
