import { queryError } from '../errors.js';
import { parseArgs, unquote } from '../http/path.js';
import { FINOPS_NAMESPACE, type FinopsEntity } from './finops-schema.js';

const literal = (value: unknown) => (typeof value === 'number' ? String(value) : `'${String(value).replace(/'/g, "''")}'`);

/**
 * The key segment of a record's URL, as F&O writes it in `@odata.id` and `Location`:
 *   CustomersV3(dataAreaId='usmf',CustomerAccount='US-001'), LegalEntities('USMF')
 */
export function keySegment(entity: FinopsEntity, values: Record<string, unknown>): string {
  if (entity.key.length === 1) return `${entity.set}(${literal(values[entity.key[0]!])})`;
  return `${entity.set}(${entity.key.map((k) => `${k}=${literal(values[k])}`).join(',')})`;
}

/**
 * Parses `(dataAreaId='usmf',CustomerAccount='US-001')` into key values. "All fields in the entity
 * key must be provided" (protocol §8); a single-field key may also be given bare: `('USMF')`.
 */
export function parseKey(entity: FinopsEntity, args: string): Record<string, unknown> {
  const parsed = parseArgs(args);
  const mismatch = () => queryError(`The number of keys specified in the URI does not match number of key properties for the resource '${FINOPS_NAMESPACE}.${entity.type}'.`);
  if (parsed.bare !== undefined) {
    if (entity.key.length !== 1) throw mismatch();
    return { [entity.key[0]!]: parsed.bare };
  }
  if (parsed.named.size !== entity.key.length) throw mismatch();
  const values: Record<string, unknown> = {};
  for (const key of entity.key) {
    const text = parsed.named.get(key);
    if (text === undefined) throw mismatch();
    if (!/^'.*'$/s.test(text) && !/^-?\d+(\.\d+)?$/.test(text)) throw queryError(`Bad Request - Error in query syntax: '${key}=${text}'.`);
    values[key] = /^'.*'$/s.test(text) ? unquote(text) : Number(text);
  }
  return values;
}
