/** Nodes produced by grammar/odata-query.peggy (see the grammar for the exact shapes). */
export type Expr =
  | { type: 'logical'; op: 'and' | 'or'; left: Expr; right: Expr; pos: number }
  | { type: 'not'; expr: Expr; pos: number }
  | { type: 'compare'; op: 'eq' | 'ne' | 'gt' | 'ge' | 'lt' | 'le' | 'has'; left: Expr; right: Expr; pos: number }
  | { type: 'in'; left: Expr; items: Expr[]; pos: number }
  | { type: 'group'; expr: Expr; pos: number }
  | { type: 'call'; name: string; args: Expr[]; pos: number }
  | { type: 'queryFunction'; name: string; params: { name: string; value: Expr | ArrayLiteral }[]; pos: number }
  | { type: 'lambda'; kind: 'any' | 'all'; nav: PathExpr; variable?: string; expr?: Expr; pos: number }
  | { type: 'alias'; name: string; pos: number }
  | PathExpr
  | Literal
  | ArrayLiteral
  | { type: 'badLiteral'; text: string; pos: number }
  | { type: 'enum'; typeName: string; member: string; pos: number };

export interface PathExpr { type: 'path'; segments: string[]; pos: number }
export interface Literal { type: 'literal'; edm: string; value: unknown; pos: number }
export interface ArrayLiteral { type: 'array'; items: unknown[]; pos: number }

export interface OrderItem { expr: PathExpr | { type: 'alias'; name: string; pos: number }; descending: boolean; pos: number }
export interface SelectItem { name: string; pos: number }
export interface ExpandOption { name: string; value: unknown; pos: number }
export interface ExpandItem { nav: string; ref: boolean; options: ExpandOption[]; pos: number }

export type Transformation =
  | { type: 'filter'; expr: Expr; pos: number }
  | { type: 'groupby'; props: PathExpr[]; aggregate?: AggregateTransformation; pos: number }
  | AggregateTransformation;
export interface AggregateTransformation { type: 'aggregate'; items: AggregateItem[]; pos: number }
export interface AggregateItem { method: string; prop?: PathExpr; alias: string; pos: number }
