import { ODataError, queryError } from '../errors.js';
import { FINOPS_ENUMS, FINOPS_NAMESPACE, type FinopsEntity, type FinopsProperty } from './finops-schema.js';

/**
 * What an empty F&O field reads as: X++ fields are never null, so strings are '', numbers 0,
 * enums their first member, dates the 1900-01-01 "no date".
 */
export function defaultValue(p: FinopsProperty): unknown {
  if (p.type === 'Edm.String') return '';
  if (p.type === 'Edm.Decimal' || p.type.startsWith('Edm.Int') || p.type === 'Edm.Double') return 0;
  if (p.type === 'Edm.Date') return '1900-01-01';
  if (p.type === 'Edm.DateTimeOffset') return '1900-01-01T00:00:00Z';
  if (p.type === 'Edm.Boolean') return false;
  return FINOPS_ENUMS[p.type]?.[0]?.[0] ?? null;
}

const cannotConvert = (value: unknown, type: string) =>
  queryError(`Cannot convert the literal '${typeof value === 'string' ? value : JSON.stringify(value)}' to the expected type '${type.startsWith('Edm.') ? type : `${FINOPS_NAMESPACE}.${type}`}'.`);

/**
 * Checks a request body's properties against the entity and converts them to stored values, as the
 * OData deserializer does before F&O sees the record; failures are 400s, not write failures.
 *
 *   coerceBody(customer, { CustomerAccount: 'T1', IsSalesTaxIncludedInPrice: 'Yes' })  // ok
 *   coerceBody(customer, { IsSalesTaxIncludedInPrice: 'Maybe' })  // 400 Cannot convert the literal 'Maybe' …
 */
export function coerceBody(entity: FinopsEntity, body: unknown): Record<string, unknown> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw queryError('The request body must be a JSON object describing one entity.');
  const out: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(body as Record<string, unknown>)) {
    if (name.startsWith('@') || name.includes('@odata.')) continue; // @odata.type, @odata.etag, …
    const property = entity.properties.find((p) => p.name === name);
    if (!property) {
      throw new ODataError(400, '', `The property '${name}' does not exist on type '${FINOPS_NAMESPACE}.${entity.type}'. Make sure to only use property names that are defined by the type or mark the type as open type.`);
    }
    out[name] = coerceValue(property, value);
  }
  return out;
}

function coerceValue(p: FinopsProperty, value: unknown): unknown {
  if (value === null) {
    if (p.nullable === false && p.type !== 'Edm.String') throw queryError(`A null value was found for the property named '${p.name}', which has the expected type '${p.type.startsWith('Edm.') ? p.type : `${FINOPS_NAMESPACE}.${p.type}`}[Nullable=False]'. The expected type '${p.type}[Nullable=False]' does not allow null values.`);
    return defaultValue(p);
  }
  switch (p.type) {
    case 'Edm.String':
      if (typeof value !== 'string') throw cannotConvert(value, p.type);
      return value;
    case 'Edm.Decimal': case 'Edm.Double': case 'Edm.Int32': case 'Edm.Int64': {
      const n = typeof value === 'number' ? value : typeof value === 'string' && value.trim() !== '' ? Number(value) : NaN;
      if (!Number.isFinite(n) || (p.type.startsWith('Edm.Int') && !Number.isInteger(n))) throw cannotConvert(value, p.type);
      return n;
    }
    case 'Edm.Boolean':
      if (typeof value !== 'boolean') throw cannotConvert(value, p.type);
      return value;
    case 'Edm.Date':
      if (typeof value !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(value) || Number.isNaN(Date.parse(value))) throw cannotConvert(value, p.type);
      return value;
    case 'Edm.DateTimeOffset':
      if (typeof value !== 'string' || !/^\d{4}-\d{2}-\d{2}T/.test(value) || Number.isNaN(Date.parse(value))) throw cannotConvert(value, p.type);
      return new Date(value).toISOString().replace(/\.000Z$/, 'Z');
    default: {
      const members = FINOPS_ENUMS[p.type];
      const member = typeof value === 'string' ? members?.find(([m]) => m.toLowerCase() === value.toLowerCase())?.[0] : undefined;
      if (!member) throw cannotConvert(value, p.type);
      return member;
    }
  }
}
