import { describe, expect, it } from 'vitest';
import { isExecStatement, parseExec } from '../../src/sql/exec-parse.js';

const str = (value: string) => ({ kind: 'literal', type: 'string', value });
const num = (value: string) => ({ kind: 'literal', type: 'number', value });

describe('EXEC / CALL grammar', () => {
  it('named, positional and mixed arguments; N-strings with doubled quotes; comments', () => {
    expect(parseExec("EXEC WinOpportunity @OpportunityClose = N'{\"subject\":\"O''Brien\"}', @Status = 3;")).toEqual({
      kind: 'exec', name: 'WinOpportunity', params: [],
      args: [{ name: 'OpportunityClose', value: str('{"subject":"O\'Brien"}') }, { name: 'Status', value: num('3') }],
    });
    expect(parseExec("-- note\n  execute [dbo].[QualifyLead] 'leads(1)', 1, -2.50, NULL, DEFAULT, TRUE /* x */").args.map((a) => a.value)).toEqual([
      str('leads(1)'), num('1'), num('-2.50'), { kind: 'literal', type: 'null', value: null }, { kind: 'default' }, { kind: 'literal', type: 'boolean', value: true },
    ]);
    expect(parseExec('EXEC dbo.WhoAmI')).toMatchObject({ name: 'dbo.WhoAmI', args: [] });
  });

  it('parameters: @name, $n and ? (numbered in order)', () => {
    const parsed = parseExec('EXEC P ?, @Status = @s, ?, $1');
    expect(parsed.args.map((a) => a.value)).toEqual([{ kind: 'param', ref: 0 }, { kind: 'param', ref: 's' }, { kind: 'param', ref: 1 }, { kind: 'param', ref: 0 }]);
    expect(parsed.params).toEqual([0, 's', 1]);
  });

  it('CALL with positional and `=>` / `:=` named arguments', () => {
    expect(parseExec("CALL QualifyLead($1, createaccount => true, status := 3)")).toEqual({
      kind: 'exec', name: 'QualifyLead', params: [0],
      args: [{ value: { kind: 'param', ref: 0 } }, { name: 'createaccount', value: { kind: 'literal', type: 'boolean', value: true } }, { name: 'status', value: num('3') }],
    });
    expect(parseExec('call WhoAmI()')).toMatchObject({ name: 'WhoAmI', args: [] });
  });

  it('syntax errors carry the position; only EXEC/EXECUTE/CALL are routed here', () => {
    expect(() => parseExec('EXEC P @a = 1 + 2')).toThrow(expect.objectContaining({ code: 'DYNASQL_ERR_SYNTAX', position: expect.objectContaining({ line: 1, column: 15 }) }));
    expect(() => parseExec("EXEC P 'open")).toThrow(expect.objectContaining({ code: 'DYNASQL_ERR_SYNTAX' }));
    expect(isExecStatement(' /* c */ exec WhoAmI')).toBe(true);
    expect(isExecStatement('CALL x()')).toBe(true);
    expect(isExecStatement('SELECT 1')).toBe(false);
    expect(isExecStatement('EXECUTED')).toBe(false);
  });
});
