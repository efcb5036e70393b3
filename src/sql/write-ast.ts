/**
 * Write statements (INSERT, UPSERT, UPDATE, DELETE) in dynasql's own AST, normalised from both
 * dialects. Expressions and queries reuse the SELECT AST (ast.ts), so the SELECT engine can compute
 * the rows a write needs.
 *
 * `UPDATE account SET name = 'x' WHERE revenue > 5 OPTION (ATOMIC)` →
 * `{kind:'update', target:{name:'account'}, set:[{column:'name', value:{kind:'literal',…}}],
 *   where:{kind:'binary',op:'>',…}, hints:{atomic:true}}`.
 */
import type { Expr, FromItem, Query } from './ast.js';

export interface WriteTarget {
  name: string;
  schema?: string;
  alias?: string;
}

/**
 * One item of `OUTPUT INSERTED.x` (T-SQL) or `RETURNING x` (PostgreSQL). `column` undefined means
 * every column (`INSERTED.*`, `RETURNING *`). `image` says which version of the row: the row as
 * written (`inserted`) or as it was before (`deleted`).
 */
export interface ReturningItem {
  column?: string;
  alias?: string;
  image: 'inserted' | 'deleted';
}

/**
 * Per-statement options written as a trailing T-SQL-style hint clause:
 * `… OPTION (ATOMIC, CONTINUE_ON_ERROR, OPTIMISTIC, BYPASS_PLUGINS, BYPASS_BUSINESS_LOGIC,
 * SUPPRESS_DUPLICATE_DETECTION, KEY <alternate key name>, INSERT_ONLY, UPDATE_ONLY)`.
 */
export interface WriteHints {
  atomic?: boolean;
  continueOnError?: boolean;
  optimistic?: boolean;
  bypassPlugins?: boolean;
  bypassBusinessLogic?: boolean;
  suppressDuplicateDetection?: boolean;
  /** UPSERT: the alternate key (by name) that identifies the row */
  key?: string;
  /** UPSERT: never update (`If-None-Match: *`) or never create (`If-Match: *`) */
  upsertMode?: 'insertOnly' | 'updateOnly';
}

export interface InsertStatement {
  kind: 'insert';
  /** `UPSERT INTO …`: PATCH to the key URL, creating or updating */
  upsert: boolean;
  target: WriteTarget;
  /** omitted: every insertable column in table order (`INSERT INTO t VALUES (…)`) */
  columns?: string[];
  /** `VALUES (…), (…)` */
  values?: Expr[][];
  /** `INSERT … SELECT …` */
  query?: Query;
  returning?: ReturningItem[];
  hints: WriteHints;
}

export interface SetItem {
  column: string;
  /** the qualifier written before the column (`a.name`), if any */
  table?: string;
  value: Expr;
}

export interface UpdateStatement {
  kind: 'update';
  target: WriteTarget;
  set: SetItem[];
  /** `UPDATE … FROM …` (T-SQL: the full FROM with the target inside; PostgreSQL: the other tables) */
  from?: FromItem;
  where?: Expr;
  returning?: ReturningItem[];
  hints: WriteHints;
}

export interface DeleteStatement {
  kind: 'delete';
  target: WriteTarget;
  /** T-SQL `DELETE a FROM account a JOIN …`: the FROM the target is one reference of */
  from?: FromItem;
  where?: Expr;
  returning?: ReturningItem[];
  hints: WriteHints;
}

export type WriteStatement = InsertStatement | UpdateStatement | DeleteStatement;

export interface ParsedWrite {
  statement: WriteStatement;
  /** parameters referenced, in first-appearance order (names or 0-based positions) */
  params: (string | number)[];
}
