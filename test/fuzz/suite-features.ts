import type { Feature } from './generate.js';
import type { WriteForm } from './write-mode.js';

/**
 * The generator features the in-suite test uses: those where dynasql agrees with the oracle today.
 * The others have known disagreements (test/fuzz/KNOWN.md); add a feature back when its fix lands.
 * `npm run fuzz` uses every feature unless told otherwise.
 */
export const SUITE_FEATURES = new Set<Feature>([
  'where', 'orderby', 'top', 'agg', 'in', 'between', 'isnull', 'like', 'lookup', 'choice', 'guid', 'dates', 'arith', 'params', 'money',
  'join', 'subquery', 'scalar', 'derived', 'cte', 'numfn', 'groupby', 'distinct', 'sum', 'derivedagg', 'window', 'selectlit',
  // back on as their fixes landed (KNOWN.md #1–#16, #21–#23)
  'strcmp', 'strorder', 'blanks', 'avg', 'intdiv', 'strfn', 'concat', 'countdistinct', 'minmaxstr', 'likeclass', 'case', 'nullif', 'union',
  'moneyagg', 'coalescetype', 'postgresql',
  // issue 14's coverage: HAVING, date functions, OFFSET/FETCH and LIMIT/OFFSET, nested derived tables, bigint parameters, the rest of
  // the function table, IIF, offset windows, EXCEPT/INTERSECT, and each output column's type
  'having', 'datefn', 'offset', 'nested', 'paramtypes', 'strfn2', 'iif', 'mathfn', 'datefn2', 'aggfn2', 'window2', 'setops', 'coltypes',
  // back on: KNOWN.md #17, #18, #20, #24, #26 agree (test/select/fuzz-known-types.test.ts)
  'orderconst', 'datecoerce', 'overflow', 'aggsubquery',
  // back on: KNOWN.md #30 (COUNT_BIG(*)) and #31 (EXCEPT / INTERSECT inside a derived table) agree
  'countbig', 'setopwrap',
  // back on: KNOWN.md #33 (LAG / LEAD with a default take the expression's type)
  'lagdefault',
  // back on: KNOWN.md #34 (ORDER BY over a set operation sorts its strings under the collation), #32 (PostgreSQL CUME_DIST / PERCENT_RANK)
  'unionorder', 'distwin',
  // issue 14's remaining constructs, agreeing in campaigns (KNOWN.md status): TRY_CAST / TRY_CONVERT, LIKE … ESCAPE, STRING_AGG … WITHIN GROUP,
  // CROSS / OUTER APPLY, recursive CTEs, varbinary parameters (since 4fa1646)
  'trycast', 'likeescape', 'stragg', 'apply', 'recursive', 'binparam',
  // back on: KNOWN.md #41 (two lookup names compared under a PIVOT) and #42 (a set operation's decimal column) agree
  'pivot', 'decarith',
  // back on: KNOWN.md #40 (IS DISTINCT FROM nested in another's operand) and #39 (PostgreSQL's bytea || bytea is bytea)
  'distinctfrom', 'binconcatpg',
  // issue 18: FISCAL_YEAR / FISCAL_PERIOD under the worlds' fiscal calendar (harness.ts), pushed and local
  'fiscal',
]);

/** The write forms the in-suite write test uses (test/fuzz/write-mode.ts); the others are in KNOWN.md. */
export const SUITE_WRITE_FORMS = new Set<WriteForm>(['w-plain', 'w-key', 'w-alias', 'w-join', 'w-tx', 'w-atomic', 'w-continue', 'w-optimistic', 'w-pg', 'w-pgjoin', 'w-pgusing', 'w-aliasdelete']);

/** Predicate features of the in-suite write test: every SELECT feature (NULLIF, AVG and dates in a write's WHERE agree since KNOWN.md #27–#29). */
export const SUITE_WRITE_FEATURES = new Set<Feature>(SUITE_FEATURES);

/**
 * The features of statements FetchXML can answer whole (issue 18): the `fetchshape` statements, and the other shapes with bare
 * columns, values, joins, semi-joins and aggregates only, so that with Remote Language=FetchXML about half of them go as FetchXML
 * (with every feature, a few in a hundred do). `npm run fuzz -- --remote-language fetchxml --features <these>` runs the same.
 */
export const FETCHXML_FEATURES = new Set<Feature>([
  'fetchshape', 'where', 'orderby', 'top', 'agg', 'groupby', 'in', 'between', 'isnull', 'like', 'likeclass', 'lookup', 'choice', 'guid', 'dates', 'datefn',
  'join', 'subquery', 'strcmp', 'strorder', 'blanks', 'countdistinct', 'sum', 'avg', 'minmaxstr', 'money', 'moneyagg', 'params', 'postgresql', 'coltypes',
  'fiscal',
]);

