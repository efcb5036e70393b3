/**
 * EXEC / EXECUTE / CALL text → `ExecStatement`, through the project's own grammar
 * (grammar/exec.peggy): node-sql-parser refuses positional T-SQL arguments (`EXEC QualifyLead 'x', 1`)
 * and EXEC in the PostgreSQL dialect. Both dialects accept every form; arguments are constants or
 * parameters, as in SQL Server.
 *
 * `parseExec("EXEC WinOpportunity @Status = 3, @OpportunityClose = ?")` →
 * `{kind:'exec', name:'WinOpportunity', args:[{name:'Status', value:{kind:'literal',type:'number',value:'3'}},
 *   {name:'OpportunityClose', value:{kind:'param', ref:0}}], params:[0]}`.
 */
import { DynasqlError } from '../errors/index.js';
import type { LiteralExpr, ParamExpr } from './ast.js';
import { parse as parseGrammar } from './generated/exec-parser.js';
import { positionAt } from './parse.js';

/** `DEFAULT` leaves the parameter out of the request, as if it were not given. */
export interface DefaultValue { kind: 'default' }
export type ExecValue = LiteralExpr | ParamExpr | DefaultValue;
export interface ExecArgument { name?: string; value: ExecValue }

export interface ExecStatement {
  kind: 'exec';
  /** as written, without brackets (`dbo.WhoAmI` keeps its schema: the procedure layer drops it) */
  name: string;
  args: ExecArgument[];
  /** the parameters referenced, in order (names, or 0-based positions for `?` and `$n`) */
  params: (string | number)[];
}

const EXEC_START = /^\s*(?:(?:--[^\n]*\n|\/\*[\s\S]*?\*\/)\s*)*(EXEC|EXECUTE|CALL)\b/i;

/** cheap test the connection uses to route a statement before parsing it */
export function isExecStatement(sql: string): boolean {
  return EXEC_START.test(sql);
}

export function parseExec(sql: string): ExecStatement {
  let raw: { name: string; args: ExecArgument[] };
  try {
    raw = parseGrammar(sql, {}) as typeof raw;
  } catch (error) {
    const e = error as { location?: { start?: { offset: number } }; found?: string | null };
    const offset = e.location?.start?.offset ?? 0;
    const position = positionAt(sql, offset);
    const near = e.found == null ? 'end of input' : `'${e.found}'`;
    throw new DynasqlError('DYNASQL_ERR_SYNTAX', `Syntax error at line ${position.line}, column ${position.column}: unexpected ${near} (expected EXEC name [@param =] value, … or CALL name(value, …))`, { position, cause: error });
  }
  // `?` placeholders are numbered in order of appearance, like the SELECT parser does
  let question = 0;
  const params: (string | number)[] = [];
  const args = raw.args.map((arg): ExecArgument => {
    if (arg.value.kind !== 'param') return arg;
    const ref = arg.value.ref === -1 ? question++ : arg.value.ref;
    if (!params.includes(ref)) params.push(ref);
    return { ...arg, value: { kind: 'param', ref } };
  });
  return { kind: 'exec', name: raw.name, args, params };
}
