/**
 * `dynasql mcp` as a desktop agent runs it: a child process (bin/dynasql.js) speaking MCP over
 * stdio, driven by the SDK's own Client, on an emulator this file starts. The server is read-only
 * (no --allow-writes) and its connection string holds an access token, which must never come back.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator } from '../../src/emulator/index.js';

const BIN = resolve(import.meta.dirname, '../../bin/dynasql.js');
const SECRET = 'eyJhbGciOiJub25lIn0.secret-access-token-for-the-mcp-test';

const home = mkdtempSync(join(tmpdir(), 'dynasql-mcp-'));
let emulator: Awaited<ReturnType<typeof startEmulator>>;
let client: Client;
let stderr = '';
/** every text the server sent back, to look for the secret at the end */
const seen: string[] = [];

interface ToolAnswer {
  text: string;
  isError: boolean;
}

async function call(name: string, args: Record<string, unknown>): Promise<ToolAnswer> {
  const result = (await client.callTool({ name, arguments: args })) as { content: { type: string; text: string }[]; isError?: boolean };
  const text = result.content.map((c) => c.text).join('\n');
  seen.push(text);
  return { text, isError: result.isError === true };
}

/** the numbers in a Markdown table's column */
function column(text: string, index: number): number[] {
  return text.split('\n').filter((l) => /^\| .*\|$/.test(l)).slice(2).map((l) => Number(l.split('|')[index + 1]!.trim()));
}

beforeAll(async () => {
  emulator = await startEmulator({ port: 0 });
  const connection = `Organization URL=${new URL(emulator.url).origin};Edition=Dataverse;API Version=9.2;Auth Scheme=AccessToken;Access Token=${SECRET};Verbosity=3;Log File=${join(home, 'mcp.log')}`;
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [BIN, 'mcp', '-c', connection, '--max-rows', '7'],
    env: { PATH: process.env.PATH ?? '', HOME: home, XDG_CACHE_HOME: home, XDG_CONFIG_HOME: home, NO_COLOR: '1' },
    stderr: 'pipe',
  });
  transport.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  client = new Client({ name: 'dynasql-test', version: '1.0.0' });
  await client.connect(transport);
}, 120_000);

afterAll(async () => {
  await client?.close();
  await emulator?.close();
  rmSync(home, { recursive: true, force: true });
});

describe('dynasql mcp over stdio', () => {
  it('lists its tools with input schemas, the table resource template and the naming prompt', async () => {
    const { tools } = await client.listTools();
    expect(tools.map((t) => t.name).sort()).toEqual(['describe_table', 'execute', 'explain', 'query', 'search_tables']);
    const query = tools.find((t) => t.name === 'query')!;
    expect(Object.keys(query.inputSchema.properties ?? {}).sort()).toEqual(['format', 'max_rows', 'sql']);
    expect(query.description).toContain('Read-only');
    expect(query.annotations?.readOnlyHint).toBe(true);
    const { resourceTemplates } = await client.listResourceTemplates();
    expect(resourceTemplates.map((t) => t.uriTemplate)).toEqual(['dynasql://table/{name}']);
    const prompt = await client.getPrompt({ name: 'dynasql_naming' });
    const text = (prompt.messages[0]!.content as { text: string }).text;
    seen.push(text);
    // examples from this org's catalog: a polymorphic lookup and its type column
    expect(text).toContain('contact.parentcustomerid: account or contact');
    expect(text).toContain('parentcustomeridtype');
  });

  it('finds tables by words, ranked, with the snapshot row counts', async () => {
    const { text, isError } = await call('search_tables', { words: 'sales order' });
    expect(isError).toBe(false);
    const names = text.split('\n').filter((l) => l.startsWith('- ')).map((l) => l.slice(2).split(' ')[0]);
    expect(names.slice(0, 2)).toEqual(['salesorder', 'salesorderdetail']);
    expect(text).toMatch(/salesorder \(entity set salesorders; key salesorderid; 100 rows\)/);
    expect(text).toContain('RetrieveTotalRecordCount');
  });

  it('describes a table as CREATE TABLE with keys, lookups and their targets, choices and relationships', async () => {
    const { text } = await call('describe_table', { table: 'contacts' });
    expect(text).toContain('CREATE TABLE contact (');
    expect(text).toContain('contactid uniqueidentifier NOT NULL, -- primary key');
    expect(text).toMatch(/parentcustomerid uniqueidentifier NULL, -- lookup to account or contact \(polymorphic\): its row's name in parentcustomeridname, its table in parentcustomeridtype/);
    expect(text).toContain('gendercode int NULL, -- choice: 1 = Male, 2 = Female; its label in gendercodename');
    expect(text).toContain('statecode int NULL, -- choice: 0 = Active, 1 = Inactive; its label in statecodename');
    expect(text).toMatch(/donotemail bit NULL, -- yes\/no: 1 = \w[^,]*, 0 = \w[^;]*; its label in donotemailname/);
    expect(text).toContain('CONSTRAINT PK_contact PRIMARY KEY (contactid)');
    expect(text).toMatch(/^-- many-to-one: contact\.parentcustomerid → account\.accountid \(navigation parentcustomerid_account\)$/m);
    const resource = await client.readResource({ uri: 'dynasql://table/contact' });
    expect((resource.contents[0] as { text: string }).text).toBe(text);
  });

  it('answers a join with an aggregate, the same as its parts counted apart', async () => {
    const joined = await call('query', {
      sql: 'SELECT a.name, COUNT(*) AS contacts FROM account a JOIN contact c ON c.parentcustomerid = a.accountid GROUP BY a.name ORDER BY a.name',
      max_rows: 1000,
    });
    expect(joined.isError).toBe(false);
    expect(joined.text).toContain('(the whole result)');
    const total = column(joined.text, 1).reduce((a, b) => a + b, 0);
    const direct = await call('query', { sql: "SELECT COUNT(*) AS n FROM contact WHERE parentcustomeridtype = 'account'" });
    expect(total).toBeGreaterThan(0);
    expect(column(direct.text, 0)).toEqual([total]);
  });

  it('caps the rows at --max-rows, or max_rows, and says the result was cut short', async () => {
    const byDefault = await call('query', { sql: 'SELECT fullname FROM contact ORDER BY fullname' });
    expect(byDefault.text.split('\n').filter((l) => l.startsWith('| ')).length).toBe(2 + 7);
    expect(byDefault.text).toContain('7 rows shown: the result has more (truncated at max_rows = 7)');
    const asked = await call('query', { sql: 'SELECT fullname FROM contact ORDER BY fullname', max_rows: 3, format: 'csv' });
    expect(asked.text.split('\n').slice(0, 4)).toHaveLength(4);
    expect(asked.text.split('\n')[0]).toBe('fullname');
    expect(asked.text).toContain('truncated at max_rows = 3');
  });

  it('refuses writes without --allow-writes, in query and in execute, and writes nothing', async () => {
    const before = await call('query', { sql: "SELECT COUNT(*) AS n FROM contact WHERE jobtitle = 'MCP refused'" });
    const viaQuery = await call('query', { sql: "UPDATE contact SET jobtitle = 'MCP refused' WHERE lastname LIKE 'S%'" });
    expect(viaQuery.isError).toBe(true);
    expect(viaQuery.text).toMatch(/^DYNASQL_ERR_READ_ONLY_CONNECTION: /);
    expect(viaQuery.text).toContain('Hint: this server was started without --allow-writes');
    const viaExecute = await call('execute', { sql: "UPDATE contact SET jobtitle = 'MCP refused' WHERE lastname LIKE 'S%'" });
    expect(viaExecute.isError).toBe(true);
    expect(viaExecute.text).toMatch(/^DYNASQL_ERR_READ_ONLY_CONNECTION: /);
    // functions read and run; actions write and are refused
    const whoAmI = await call('query', { sql: 'EXEC WhoAmI' });
    expect(whoAmI.text).toMatch(/^\| BusinessUnitId \| UserId \| OrganizationId \|\n(.*\n){2}1 row \(the whole result\)\. Empty cells are NULL\.$/);
    const opportunity = /\| ([0-9a-f-]{36}) \|/.exec((await call('query', { sql: 'SELECT TOP 1 opportunityid FROM opportunity WHERE statecode = 0' })).text)![1];
    const action = await call('query', { sql: `EXEC WinOpportunity @OpportunityClose = '{"subject":"won","opportunityid@odata.bind":"/opportunities(${opportunity})"}', @Status = 3` });
    expect(action.text).toMatch(/^DYNASQL_ERR_READ_ONLY_CONNECTION: .*the action 'WinOpportunity' is refused/);
    expect((await call('query', { sql: `SELECT statecode FROM opportunity WHERE opportunityid = '${opportunity}'` })).text).toContain('| 0 |');
    const after = await call('query', { sql: "SELECT COUNT(*) AS n FROM contact WHERE jobtitle = 'MCP refused'" });
    expect(column(after.text, 0)).toEqual(column(before.text, 0));
    expect(column(after.text, 0)).toEqual([0]);
  });

  it('dry-runs a write: the exact rows it touches and the requests it would send, nothing written', async () => {
    const count = column((await call('query', { sql: "SELECT COUNT(*) AS n FROM contact WHERE lastname LIKE 'S%'" })).text, 0)[0]!;
    const dry = await call('execute', { sql: "UPDATE contact SET jobtitle = 'MCP dry' WHERE lastname LIKE 'S%'", dry_run: true });
    expect(dry.isError).toBe(false);
    expect(dry.text).toContain(`Dry run: nothing was written. The batch would change ${count} rows`);
    expect(dry.text).toContain("$filter=startswith(lastname,%27S%27)");
    expect(dry.text).toContain('PATCH contacts(<key>)');
    const written = await call('query', { sql: "SELECT COUNT(*) AS n FROM contact WHERE jobtitle = 'MCP dry'" });
    expect(column(written.text, 0)).toEqual([0]);
  });

  it('explains a statement', async () => {
    const { text } = await call('explain', { sql: 'SELECT TOP 3 fullname FROM contact' });
    expect(text).toContain('$select=fullname&$top=3');
  });

  it('reports errors as tool errors with the code, the position and a hint, never a stack', async () => {
    const { text, isError } = await call('query', { sql: 'SELECT name FROM acount' });
    expect(isError).toBe(true);
    expect(text).toBe("DYNASQL_ERR_UNKNOWN_TABLE: Unknown table 'acount'. Did you mean 'account'? (line 1, column 18)\nHint: find the table with search_tables, then read its columns with describe_table.");
    const batch = await call('query', { sql: 'SELECT TOP 1 fullname FROM contact;\nSELECT nme FROM account' });
    expect(batch.text).toMatch(/^-- statement 1 \(line 1\)\n\| fullname \|/);
    expect(batch.text).toContain("statement 2 (line 2) failed: DYNASQL_ERR_UNKNOWN_COLUMN: Unknown column 'nme'");
    const control = await call('query', { sql: 'BEGIN TRAN' });
    expect(control.text).toMatch(/^DYNASQL_ERR_UNSUPPORTED_SQL: Transaction statements \(BEGIN\)/);
    for (const t of [text, batch.text, control.text]) expect(t).not.toMatch(/\n\s+at /);
  });

  it('never shows the connection\'s secret, in answers or in its log', async () => {
    expect(stderr).toContain('dynasql mcp: serving the org, read-only, 7 rows per result over stdio.');
    // Verbosity=3 logs each request with its headers, the Authorization header masked
    const log = readFileSync(join(home, 'mcp.log'), 'utf8');
    expect(log).toMatch(/GET http:\/\/127\.0\.0\.1:\d+\/api\/data\/v9\.2\/contacts/);
    expect(log).toMatch(/authorization: \*\*\*/i);
    for (const text of [...seen, stderr, log]) expect(text).not.toContain('secret-access-token');
  });
});
