/**
 * The SQL functions dynasql understands, by kind. Binding rejects anything else before a request is
 * sent; the local engine maps each name to its own spelling (local/functions.ts).
 * `functionKind('count')` → 'aggregate'; `functionKind('len')` → 'scalar'.
 */
export type FunctionKind = 'aggregate' | 'window' | 'scalar';

const AGGREGATES = ['COUNT', 'COUNT_BIG', 'SUM', 'AVG', 'MIN', 'MAX', 'STRING_AGG', 'STDEV', 'STDEVP', 'VAR', 'VARP'];
const WINDOWS = ['ROW_NUMBER', 'RANK', 'DENSE_RANK', 'NTILE', 'LAG', 'LEAD', 'FIRST_VALUE', 'LAST_VALUE', 'PERCENT_RANK', 'CUME_DIST'];
const SCALARS = [
  // strings
  'LEN', 'LENGTH', 'CHAR_LENGTH', 'UPPER', 'LOWER', 'LTRIM', 'RTRIM', 'TRIM', 'SUBSTRING', 'SUBSTR', 'LEFT', 'RIGHT', 'REPLACE',
  'CHARINDEX', 'POSITION', 'CONCAT', 'CONCAT_WS', 'REVERSE', 'REPLICATE', 'REPEAT', 'STUFF', 'SPACE', 'STARTSWITH', 'ENDSWITH',
  // nulls and logic
  'ISNULL', 'COALESCE', 'NULLIF', 'IIF', 'IFNULL',
  // numbers
  'ABS', 'CEILING', 'CEIL', 'FLOOR', 'ROUND', 'POWER', 'POW', 'SQRT', 'SIGN', 'EXP', 'LOG', 'LOG10', 'PI', 'RAND',
  // dates
  'GETDATE', 'GETUTCDATE', 'SYSDATETIME', 'SYSUTCDATETIME', 'SYSDATETIMEOFFSET', 'CURRENT_TIMESTAMP', 'NOW',
  'DATEADD', 'DATEDIFF', 'DATEPART', 'DATENAME', 'DATETRUNC', 'DATE_PART', 'DATE_TRUNC', 'YEAR', 'MONTH', 'DAY', 'EOMONTH',
  // guids
  'NEWID',
];

const KINDS = new Map<string, FunctionKind>([
  ...AGGREGATES.map((n) => [n, 'aggregate'] as const),
  ...WINDOWS.map((n) => [n, 'window'] as const),
  ...SCALARS.map((n) => [n, 'scalar'] as const),
]);

export function functionKind(name: string): FunctionKind | undefined {
  return KINDS.get(name.toUpperCase());
}

export function knownFunctionNames(): string[] {
  return [...KINDS.keys()];
}
