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
