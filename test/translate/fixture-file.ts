/**
 * Reads translation fixture files: blocks separated by blank lines, each a SQL statement followed by
 * indented expectation lines.
 *
 *   # LIKE 'x%' becomes startswith
 *   SELECT name FROM account WHERE name LIKE 'Con%'
 *     GET accounts?$select=name&$filter=startswith(name,'Con')
 *     result: direct
 *
 * `GET` lines are the exact request URLs relative to the service root, with `%20` written as a
 * space and `%27` as `'` (neither is ever sent literally, so the mapping is exact). `result:` is `direct` (rows
 * straight from the service) or `local` (a local step runs); `error: CODE` expects a failure;
 * `params: [...]` gives parameter values as JSON; `header: Name: value` an exact request header;
 * `edition: finops` the edition, in a file that holds both. `FETCH accounts <fetch …>` is a FetchXML
 * request (`accounts?fetchXml=…`) with its FetchXML decoded; `language: fetchxml|odata|auto` the
 * Remote Language to plan with (each file has its default). `run: GET …` / `run: FETCH …` lines: the
 * requests a run sends where they differ from the plan's (an `IN (SELECT …)` whose keys are read first:
 * connection/subquery-keys.ts; the first groups of a HAVING on a count: connection/having-cut.ts),
 * `…` standing for the keys the run reads.
 */
import { readFileSync } from 'node:fs';

export interface Fixture {
  title: string;
  sql: string;
  params?: unknown[] | Record<string, unknown>;
  requests: string[];
  /** `run: GET …` / `run: FETCH …`: the requests sent end to end, where what is read first changes them (`…`: any text) */
  runRequests?: string[];
  headers: string[];
  result?: 'direct' | 'local';
  error?: string;
  /** `edition: finops`: the edition to plan for, in a file that holds both */
  edition?: 'dataverse' | 'finops';
  /** `language: fetchxml`: the Remote Language to plan with */
  language?: 'auto' | 'odata' | 'fetchxml';
  /** 1-based line of the SQL in the file */
  line: number;
}

export function readFixtures(path: string): Fixture[] {
  const lines = readFileSync(path, 'utf8').split('\n');
  const fixtures: Fixture[] = [];
  let current: Fixture | undefined;
  let title = '';
  const finish = () => {
    if (current) fixtures.push(current);
    current = undefined;
    title = '';
  };
  lines.forEach((raw, index) => {
    const line = raw.trimEnd();
    if (line === '') return finish();
    if (line.startsWith('#')) {
      if (current) finish();
      title = line.replace(/^#+\s*/, '');
      return;
    }
    if (!line.startsWith('  ')) {
      if (current && (current.requests.length > 0 || current.result || current.error)) finish();
      if (!current) current = { title, sql: line, requests: [], headers: [], line: index + 1 };
      else current.sql += `\n${line}`;
      return;
    }
    if (!current) throw new Error(`${path}:${index + 1}: expectation without a statement`);
    const body = line.trim();
    if (body.startsWith('FETCH ')) current.requests.push(body);
    else if (body.startsWith('GET ')) current.requests.push(body.slice(4).replace(/ /g, '%20').replace(/'/g, '%27'));
    else if (body.startsWith('run: GET ')) (current.runRequests ??= []).push(body.slice(9).replace(/ /g, '%20').replace(/'/g, '%27'));
    else if (body.startsWith('run: FETCH ')) (current.runRequests ??= []).push(body.slice(5));
    else if (body.startsWith('header: ')) current.headers.push(body.slice(8));
    else if (body.startsWith('result: ')) current.result = body.slice(8) as 'direct' | 'local';
    else if (body.startsWith('error: ')) current.error = body.slice(7);
    else if (body.startsWith('edition: ')) current.edition = body.slice(9) as 'dataverse' | 'finops';
    else if (body.startsWith('language: ')) current.language = body.slice(10) as 'auto' | 'odata' | 'fetchxml';
    else if (body.startsWith('params: ')) current.params = JSON.parse(body.slice(8)) as unknown[];
    else throw new Error(`${path}:${index + 1}: unknown expectation '${body}'`);
  });
  finish();
  return fixtures;
}
