import { hash32, Prng } from './prng.js';

/**
 * The randomized differential test's data (`startEmulator({ fuzzData: true })`): on top of the
 * ordinary seed, some string values of account and contact become spellings that T-SQL compares as
 * equal but a byte-wise engine does not, and some money values get cents, so the test meets them:
 *   'Contoso', 'CONTOSO', 'contoso'   (the collation is case-insensitive)
 *   'abc', 'abc '                     (comparison ignores trailing blanks; LIKE on nvarchar does not)
 *   'a_b%c', 'A[b]c'                  (LIKE wildcards as data)
 * A row's variants come from (seed, table, index) alone, like the rest of the seed, and the default
 * seed (the flag off) is untouched.
 */
const NAME_VARIANTS = ['Contoso', 'CONTOSO', 'contoso', 'Contoso ', 'abc', 'abc ', 'ABC', 'Abc  ', 'a_b%c', 'A[b]c', "O'Brien", 'Fabrikam', 'fabrikam ', 'FABRIKAM'];
const CITY_VARIANTS = ['Seattle', 'SEATTLE', 'seattle', 'Seattle ', 'Redmond', 'redmond '];
const DESCRIPTION_VARIANTS = ['Prefers email', 'PREFERS EMAIL', 'prefers email ', 'x', 'X ', '50% off', 'under_score', '[bracket]'];
const FIRST_NAME_VARIANTS = ['Dan', 'DAN', 'dan', 'Dan ', 'Ann', 'ann  ', 'ANN'];

type Values = Record<string, unknown>;

export function withFuzzVariants(table: string, index: number, seed: number, values: Values): Values {
  const rng = new Prng(hash32(`fuzz:${table}`, seed) ^ Math.imul(index + 1, 0x85ebca6b));
  if (table === 'account') {
    const out = { ...values };
    if (rng.chance(0.3)) out.name = rng.pick(NAME_VARIANTS);
    if (rng.chance(0.3)) out.address1_city = rng.pick(CITY_VARIANTS);
    if (rng.chance(0.3)) out.description = rng.pick(DESCRIPTION_VARIANTS);
    if (typeof out.revenue === 'number' && rng.chance(0.5)) {
      out.revenue = Math.round((out.revenue as number) + rng.int(1, 99)) + rng.int(0, 99) / 100;
      out.revenue_base = out.revenue;
    }
    return out;
  }
  if (table === 'contact') {
    const out = { ...values };
    if (rng.chance(0.3)) out.firstname = rng.pick(FIRST_NAME_VARIANTS);
    if (rng.chance(0.2)) out.jobtitle = rng.chance(0.5) ? null : rng.pick(DESCRIPTION_VARIANTS);
    return out;
  }
  return values;
}

/** F&O customers' spellings for the fuzz data: `*` (a wildcard to the service in some filters), case, trailing blanks. */
const ORGANIZATION_VARIANTS = ['Contoso*', '*Wholesales', 'Grebe Shop', 'GREBE SHOP', 'grebe shop ', '*', 'Contoso Retail*', 'a*b', 'Forest Wholesales '];
const FINOPS_CITY_VARIANTS = ['Seattle', 'SEATTLE', 'seattle ', 'London ', 'LONDON'];

interface SeedSet { count: number; make(index: number): Record<string, unknown> }

export function withFinopsFuzzVariants<S extends SeedSet>(sets: Map<string, S>, seed: number): Map<string, S> {
  const customers = sets.get('CustomersV3');
  if (!customers) return sets;
  const out = new Map(sets);
  out.set('CustomersV3', {
    ...customers,
    make: (index: number) => {
      const row = customers.make(index);
      const rng = new Prng(hash32('fuzz:CustomersV3', seed) ^ Math.imul(index + 1, 0x85ebca6b));
      if (rng.chance(0.3)) row.OrganizationName = rng.pick(ORGANIZATION_VARIANTS);
      if (rng.chance(0.3)) row.AddressCity = rng.pick(FINOPS_CITY_VARIANTS);
      return row;
    },
  });
  return out;
}
