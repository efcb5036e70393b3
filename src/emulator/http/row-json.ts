import type { EntityTypeDef } from '../metadata/model.js';
import type { PreparedQuery } from '../query/prepare.js';
import type { Row } from '../store/row.js';
import { columnsOf } from './render.js';

/** text JSON.stringify writes back unchanged between quotes: no quote, backslash, control character or surrogate */
const NOTHING_TO_ESCAPE = /^[^"\\\u0000-\u001f\ud800-\udfff]*$/;

/** each query's columns as written: the name and the text before its value (`,"name":`) */
const writersByQuery = new WeakMap<PreparedQuery, Map<EntityTypeDef, { name: string; prefix: string }[]>>();

/**
 * The records of a collection page as the JSON text of its `value` array's items, written from the
 * rows straight away: the same text `renderRecord` and `JSON.stringify` make for a read with no
 * `$expand` and no annotations asked for (test/emulator/row-json.test.ts compares the two), without
 * an object per record in between. Paging a large table, the emulator spent most of its time there.
 */
export function plainRecordsJson(entity: EntityTypeDef, rows: readonly Row[], query: PreparedQuery): string {
  const writers = writersOf(entity, query);
  const records = new Array<string>(rows.length);
  for (let r = 0; r < rows.length; r++) {
    const row = rows[r]!;
    // the etag is W/"<version>" (render.ts etagOf), a number: nothing in it to escape but its own quotes
    let text = `{"@odata.etag":"W/\\"${row.version}\\""`;
    for (const { name, prefix } of writers) text += prefix + valueJson(row, name);
    records[r] = `${text}}`;
  }
  return records.join(',');
}

function writersOf(entity: EntityTypeDef, query: PreparedQuery): { name: string; prefix: string }[] {
  let known = writersByQuery.get(query);
  if (!known) writersByQuery.set(query, (known = new Map()));
  let writers = known.get(entity);
  if (!writers) {
    writers = columnsOf(entity, query).filter((name) => entity.properties.has(name)).map((name) => ({ name, prefix: `,${JSON.stringify(name)}:` }));
    known.set(entity, writers);
  }
  return writers;
}

/** a column's value as JSON: a decimal's exact digits where they were written (http/exact-decimals.ts), else what JSON.stringify writes */
function valueJson(row: Row, name: string): string {
  const value = row.values[name] ?? null;
  if (value === null) return 'null';
  switch (typeof value) {
    case 'string':
      // most values need no escaping (names, keys, dates): quoted as they are, which JSON.stringify would give
      return NOTHING_TO_ESCAPE.test(value) ? `"${value}"` : JSON.stringify(value);
    case 'number': {
      const exact = row.exactDecimals?.[name];
      if (exact !== undefined && Number(exact) === value) return exact;
      return Number.isFinite(value) ? String(value) : 'null';
    }
    case 'boolean':
      return value ? 'true' : 'false';
    default:
      return JSON.stringify(value);
  }
}
