/**
 * The generator's own statement tree. Three renderers read it: T-SQL and PostgreSQL for dynasql
 * (render-sql.ts) and the oracle's PostgreSQL with T-SQL semantics spelled out (render-oracle.ts).
 */
import type { Ty } from './schema.js';

export type CmpOp = '=' | '<>' | '<' | '<=' | '>' | '>=';
export type ArithOp = '+' | '-' | '*' | '/' | '%';

export type Expr =
  | { k: 'col'; ty: Ty; table: string; name: string }
  /** a column of the enclosing query's output or of a derived table, by name, without a table alias */
  | { k: 'ref'; ty: Ty; name: string; table?: string }
  | { k: 'lit'; ty: Ty; v: string | number | null }
  | { k: 'param'; ty: Ty; name: string; v: string | number | bigint | boolean | Date | Uint8Array | null }
  | { k: 'bin'; ty: Ty; op: ArithOp; l: Expr; r: Expr }
  | { k: 'neg'; ty: Ty; e: Expr }
  | { k: 'fn'; ty: Ty; name: string; args: Expr[] }
  /** STRING_AGG: `sep` its separator, `within` its total order (WITHIN GROUP (ORDER BY …) in T-SQL) */
  | { k: 'agg'; ty: Ty; fn: AggFn; arg?: Expr; distinct?: boolean; sep?: string; within?: OrderKey[] }
  /** `iif`: written as IIF(p, a, b) (T-SQL), the same CASE otherwise */
  | { k: 'case'; ty: Ty; whens: { when: Pred; then: Expr }[]; else?: Expr; iif?: boolean }
  | { k: 'scalar'; ty: Ty; q: Select }
  /** `n`: NTILE's bucket count, LAG/LEAD's offset; `dflt`: LAG/LEAD's default */
  | { k: 'win'; ty: Ty; fn: WinFn; arg?: Expr; n?: number; dflt?: Expr; partition: Expr[]; order: OrderKey[] };

export type AggFn = 'COUNT' | 'COUNT_BIG' | 'SUM' | 'AVG' | 'MIN' | 'MAX' | 'STDEV' | 'STDEVP' | 'VAR' | 'VARP' | 'STRING_AGG';
export type WinFn = 'ROW_NUMBER' | 'RANK' | 'DENSE_RANK' | 'NTILE' | 'PERCENT_RANK' | 'CUME_DIST' | 'LAG' | 'LEAD' | 'FIRST_VALUE' | 'LAST_VALUE' | 'SUM' | 'COUNT' | 'MIN' | 'MAX';

export type Pred =
  | { k: 'cmp'; op: CmpOp; l: Expr; r: Expr }
  | { k: 'and' | 'or'; l: Pred; r: Pred }
  | { k: 'not'; p: Pred }
  | { k: 'isnull'; e: Expr; neg: boolean }
  /** `escape`: LIKE … ESCAPE 'c' (the pattern's wildcards written after c are literal) */
  | { k: 'like'; e: Expr; pattern: string; neg: boolean; escape?: string }
  | { k: 'in'; e: Expr; list: Expr[]; neg: boolean }
  | { k: 'between'; e: Expr; lo: Expr; hi: Expr; neg: boolean }
  /** `l IS [NOT] DISTINCT FROM r`: a comparison in which NULL equals NULL */
  | { k: 'distinct'; l: Expr; r: Expr; neg: boolean }
  | { k: 'insub'; e: Expr; q: Select; neg: boolean }
  | { k: 'exists'; q: Select; neg: boolean };

export interface OrderKey { e: Expr; desc: boolean }

export interface Pivot { src: Select; fn: 'SUM' | 'COUNT' | 'MIN' | 'MAX' | 'AVG'; value: string; column: string; values: string[] }

export type FromItem =
  | { k: 'table'; table: string; alias: string }
  /**
   * `pivot` set: dynasql reads T-SQL's `(src) s PIVOT (fn(value) FOR column IN ([v1], …)) alias`;
   * `q` is its equivalent written out (a grouped select over `src` with one fn(CASE WHEN column =
   * 'v' THEN value END) per listed value), which the oracle and the result types read
   */
  | { k: 'derived'; q: Select; alias: string; pivot?: Pivot }
  | { k: 'cte'; name: string; alias: string };

/**
 * CROSS / OUTER APPLY (T-SQL; CROSS JOIN LATERAL / LEFT JOIN LATERAL … ON true in PostgreSQL): a
 * derived table whose select refers to the tables before it; `on` is unused then.
 */
export interface Join { type: 'INNER' | 'LEFT' | 'CROSS APPLY' | 'OUTER APPLY'; from: FromItem; on?: Pred }

export interface Item { e: Expr; alias: string }

export interface Select {
  k: 'select';
  /** `recursive`: the CTE's select is `anchor UNION ALL step` and the step reads the CTE itself */
  ctes?: { name: string; q: Select; recursive?: boolean }[];
  distinct?: boolean;
  top?: number;
  items: Item[];
  from: FromItem;
  joins?: Join[];
  where?: Pred;
  groupBy?: Expr[];
  having?: Pred;
  /** keys over the output columns, by alias; `total` says they order every row (so TOP is deterministic) */
  orderBy?: { alias: string; desc: boolean }[];
  orderTotal?: boolean;
  /**
   * UNION [ALL] (or EXCEPT / INTERSECT, `op`) with further selects (same column types); ORDER BY,
   * TOP and OFFSET then apply to the whole
   */
  union?: { all: boolean; q: Select; op?: 'EXCEPT' | 'INTERSECT' }[];
  /** rows skipped after the (total) ORDER BY: OFFSET … FETCH in T-SQL (`top` is FETCH's count), LIMIT/OFFSET in PostgreSQL */
  offset?: number;
}

/** How to compare one output column: `ci` when T-SQL leaves the spelling of equal strings open. */
export interface OutputColumn { alias: string; ty: Ty; ci: boolean; approx?: boolean }

export interface Case {
  q: Select;
  dialect: 'tsql' | 'postgresql';
  columns: OutputColumn[];
  features: string[];
}
