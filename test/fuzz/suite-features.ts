import type { Feature } from './generate.js';

/**
 * The generator features the in-suite test uses: those where dynasql agrees with the oracle today.
 * The others have known disagreements (test/fuzz/KNOWN.md); add a feature back when its fix lands.
 * `npm run fuzz` uses every feature unless told otherwise.
 */
export const SUITE_FEATURES = new Set<Feature>([
  'where', 'orderby', 'top', 'agg', 'in', 'between', 'isnull', 'like', 'lookup', 'choice', 'guid', 'dates', 'arith', 'params', 'money',
  'join', 'subquery', 'scalar', 'derived', 'cte', 'numfn', 'groupby', 'distinct', 'sum', 'derivedagg', 'selectlit',
]);
