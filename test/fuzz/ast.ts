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
  | { k: 'param'; ty: Ty; name: string; v: string | number | boolean | Date | null }
  | { k: 'bin'; ty: Ty; op: ArithOp; l: Expr; r: Expr }
  | { k: 'neg'; ty: Ty; e: Expr }
  | { k: 'fn'; ty: Ty; name: string; args: Expr[] }
  | { k: 'agg'; ty: Ty; fn: 'COUNT' | 'SUM' | 'AVG' | 'MIN' | 'MAX'; arg?: Expr; distinct?: boolean }
  | { k: 'case'; ty: Ty; whens: { when: Pred; then: Expr }[]; else?: Expr }
  | { k: 'scalar'; ty: Ty; q: Select }
  | { k: 'win'; ty: Ty; fn: 'ROW_NUMBER' | 'RANK' | 'DENSE_RANK' | 'SUM' | 'COUNT' | 'MIN' | 'MAX'; arg?: Expr; partition: Expr[]; order: OrderKey[] };

export type Pred =
  | { k: 'cmp'; op: CmpOp; l: Expr; r: Expr }
  | { k: 'and' | 'or'; l: Pred; r: Pred }
  | { k: 'not'; p: Pred }
  | { k: 'isnull'; e: Expr; neg: boolean }
  | { k: 'like'; e: Expr; pattern: string; neg: boolean }
  | { k: 'in'; e: Expr; list: Expr[]; neg: boolean }
  | { k: 'between'; e: Expr; lo: Expr; hi: Expr; neg: boolean }
  | { k: 'insub'; e: Expr; q: Select; neg: boolean }
  | { k: 'exists'; q: Select; neg: boolean };

export interface OrderKey { e: Expr; desc: boolean }

export type FromItem =
  | { k: 'table'; table: string; alias: string }
  | { k: 'derived'; q: Select; alias: string }
  | { k: 'cte'; name: string; alias: string };

export interface Join { type: 'INNER' | 'LEFT'; from: FromItem; on: Pred }

export interface Item { e: Expr; alias: string }

export interface Select {
  k: 'select';
  ctes?: { name: string; q: Select }[];
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
  /** UNION [ALL] with further selects (same column types); ORDER BY/TOP then apply to the whole */
  union?: { all: boolean; q: Select }[];
}

/** How to compare one output column: `ci` when T-SQL leaves the spelling of equal strings open. */
export interface OutputColumn { alias: string; ty: Ty; ci: boolean; approx?: boolean }

export interface Case {
  q: Select;
  dialect: 'tsql' | 'postgresql';
  columns: OutputColumn[];
  features: string[];
}
