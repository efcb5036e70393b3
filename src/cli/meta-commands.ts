/**
 * psql-style backslash commands. Those that show the catalog (`\dt`, `\d`, `\df`) run SQL on the
 * system tables (see catalog-queries.ts); the rest change how the session prints (`\x`, `\format`,
 * `\timing`, `\o`) or where input comes from (`\i`).
 */
import { readFileSync } from 'node:fs';
import type { QueryResult } from '../index.js';
import {
  describeTableQueries,
  listedParametersQuery,
  listProceduresQuery,
  listTablesQuery,
  procedureParametersQuery,
  type CatalogQuery,
} from './catalog-queries.js';
import { isOutputFormat, OUTPUT_FORMATS } from './format/index.js';
import { fileSink, streamSink } from './output-sink.js';
import type { Session } from './session.js';
import { scriptStatements } from './split-statements.js';

export interface MetaContext {
  session: Session;
  signal: AbortSignal;
  /** the sink results go to when `\o` is given no file */
  defaultOut: ReturnType<typeof streamSink>;
  quit(): void;
}

export const META_COMMANDS: readonly { name: string; args: string; help: string }[] = [
  { name: '\\dt', args: '[PATTERN]', help: 'list tables (PATTERN: text, * and ? wildcards); \\dt+ adds descriptions' },
  { name: '\\d', args: '[TABLE]', help: 'describe a table: columns, keys, foreign keys' },
  { name: '\\df', args: '[PATTERN]', help: 'list procedures (Dynamics actions and functions) with their parameters' },
  { name: '\\x', args: '[on|off|auto]', help: 'toggle the expanded one-record-per-block view' },
  { name: '\\timing', args: '[on|off]', help: 'toggle timing of statements' },
  { name: '\\format', args: '[FORMAT]', help: `show or set the output format (${OUTPUT_FORMATS.join(', ')})` },
  { name: '\\explain', args: 'SQL', help: 'show the plan: OData requests and local steps (or EXPLAIN SQL;)' },
  { name: '\\i', args: 'FILE', help: 'run the statements in FILE' },
  { name: '\\o', args: '[FILE]', help: 'send results to FILE, or back to the terminal' },
  { name: '\\?', args: '', help: 'show this help' },
  { name: '\\q', args: '', help: 'quit (or Ctrl-D, or Ctrl-C twice at an empty prompt)' },
];

/** `\d "my table" x` → ['\d', 'my table', 'x'] */
export function splitMetaLine(line: string): string[] {
  const parts: string[] = [];
  for (const m of line.trim().matchAll(/"((?:[^"]|"")*)"|'((?:[^']|'')*)'|(\S+)/g)) {
    parts.push(m[1] !== undefined ? m[1].replace(/""/g, '"') : m[2] !== undefined ? m[2].replace(/''/g, "'") : m[3]!);
  }
  return parts;
}

function helpText(): string {
  const width = Math.max(...META_COMMANDS.map((c) => `${c.name} ${c.args}`.length));
  const lines = META_COMMANDS.map((c) => `  ${`${c.name} ${c.args}`.padEnd(width)}  ${c.help}`);
  return ['Statements end with ; (or a GO line). Ctrl-C cancels a running statement.', ...lines].join('\n') + '\n';
}

/** Runs catalog queries in order, each under its title; empty follow-up sections are left out. */
async function showCatalog(ctx: MetaContext, queries: CatalogQuery[], notFound?: string): Promise<void> {
  for (const [index, query] of queries.entries()) {
    const result = await ctx.session.withProgress(ctx.signal, (o) => ctx.session.conn.query(query.sql, undefined, o));
    if (index === 0 && notFound && result.rows.length === 0) {
      ctx.session.info(notFound);
      return;
    }
    if (index > 0 && result.rows.length === 0) continue;
    if (query.title && ctx.session.format === 'table') {
      ctx.session.out.write(`${index > 0 ? '\n' : ''}${ctx.session.out.colors.bold(query.title)}\n`);
    }
    await ctx.session.printResult(result);
  }
}

/**
 * `\df`: the procedures, each with its parameters in order (`Target account (bound), Status int?`:
 * `?` marks a parameter that may be left out or null).
 */
async function showProcedures(ctx: MetaContext, pattern: string | undefined): Promise<void> {
  const query = (q: CatalogQuery) => ctx.session.withProgress(ctx.signal, (o) => ctx.session.conn.query(q.sql, undefined, o));
  const procedures = await query(listProceduresQuery(pattern));
  const parameters = await query(listedParametersQuery(pattern));
  const byProcedure = new Map<string, string[]>();
  for (const p of parameters.rows) {
    const text = `${String(p.parameter_name)} ${String(p.type_name)}${p.is_nullable ? '?' : ''}${p.is_binding ? ' (bound)' : ''}`;
    const list = byProcedure.get(String(p.procedure_name)) ?? [];
    list.push(text);
    byProcedure.set(String(p.procedure_name), list);
  }
  const result: QueryResult = {
    ...procedures,
    columns: [...procedures.columns, { name: 'parameters', type: 'nvarchar' }],
    rows: procedures.rows.map((row) => ({ ...row, parameters: (byProcedure.get(String(row.procedure_name)) ?? []).join(', ') })),
  };
  if (ctx.session.format === 'table') ctx.session.out.write(`${ctx.session.out.colors.bold('Procedures')}\n`);
  await ctx.session.printResult(result);
}

function onOff(value: string | undefined, current: boolean): boolean | undefined {
  if (value === undefined) return !current;
  if (/^(on|true|1)$/i.test(value)) return true;
  if (/^(off|false|0)$/i.test(value)) return false;
  return undefined;
}

/**
 * Runs a backslash line. Errors are printed, never thrown: the REPL keeps going; the answer is false
 * when the command failed (a script stops there).
 */
export async function runMetaCommand(line: string, ctx: MetaContext): Promise<boolean> {
  try {
    return (await dispatchMetaCommand(line, ctx)) !== false;
  } catch (error) {
    ctx.session.error(error);
    return false;
  }
}

/** false (or a throw) when the command did not do its work */
async function dispatchMetaCommand(line: string, ctx: MetaContext): Promise<boolean | void> {
  const [command = '', ...args] = splitMetaLine(line);
  const { session } = ctx;
  switch (command) {
    case '\\q':
      ctx.quit();
      return;
    case '\\?':
    case '\\h':
      session.info(helpText());
      return;
    case '\\dt':
    case '\\dt+':
      return await showCatalog(ctx, [listTablesQuery(args[0], command === '\\dt+')]);
    case '\\d':
      if (args[0] === undefined) return await showCatalog(ctx, [listTablesQuery()]);
      return await showCatalog(ctx, describeTableQueries(args[0]), `Did not find any table named "${args[0]}".`);
    case '\\df': {
      await showProcedures(ctx, args[0]);
      if (args[0] && !/[*?]/.test(args[0])) await showCatalog(ctx, [procedureParametersQuery(args[0])]);
      return;
    }
    case '\\x': {
      const arg = args[0]?.toLowerCase();
      if (arg === 'auto') session.expanded = 'auto';
      else {
        const on = onOff(arg, session.expanded === 'on');
        if (on === undefined) return session.info(`\\x: expected on, off or auto, got "${args[0]}".`);
        session.expanded = on ? 'on' : 'off';
      }
      return session.info(`Expanded display is ${session.expanded}.`);
    }
    case '\\timing': {
      const on = onOff(args[0], session.timing);
      if (on === undefined) return session.info(`\\timing: expected on or off, got "${args[0]}".`);
      session.timing = on;
      return session.info(`Timing is ${on ? 'on' : 'off'}.`);
    }
    case '\\format': {
      if (args[0] === undefined) return session.info(`Output format is ${session.format}.`);
      const format = args[0].toLowerCase();
      if (!isOutputFormat(format)) return session.info(`\\format: unknown format "${args[0]}"; choose one of ${OUTPUT_FORMATS.join(', ')}.`);
      session.format = format;
      return session.info(`Output format is ${format}.`);
    }
    case '\\explain': {
      const sql = line.trim().slice('\\explain'.length).trim().replace(/;\s*$/, '');
      if (!sql) return session.info('\\explain: give a statement, e.g. \\explain SELECT name FROM account');
      await session.execute(`EXPLAIN ${sql}`, ctx.signal);
      return;
    }
    case '\\i': {
      if (args[0] === undefined) return session.info('\\i: give a file name.');
      const text = readFileSync(args[0], 'utf8');
      for (const statement of scriptStatements(text)) {
        if (ctx.signal.aborted) return;
        await session.execute(statement.sql, ctx.signal);
      }
      return;
    }
    case '\\o': {
      const next = args[0] === undefined ? ctx.defaultOut : fileSink(args[0]);
      if (session.out !== ctx.defaultOut) session.out.close();
      session.out = next;
      return session.info(args[0] === undefined ? 'Results go to the terminal.' : `Results go to ${args[0]}.`);
    }
    default:
      session.info(`Unknown command ${command}. Try \\? for help.`);
      return false;
  }
}
