/**
 * Every action and function the emulator offers, called through connect() over real HTTP: EXEC with
 * named and positional arguments, CALL in the PostgreSQL dialect, table-valued functions in FROM,
 * bound and unbound, the built-ins, and conn.action. Requests are checked in the emulator's log.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DOCUMENTED_IDS, startEmulator, type RunningEmulator } from '../../src/emulator/index.js';
import { connect, type ConnectedConnection } from '../../src/index.js';

let emu: RunningEmulator;
let conn: ConnectedConnection;

beforeAll(async () => {
  emu = await startEmulator({ port: 0, rows: 8 });
  conn = await connect(`Url=${emu.url};Use Dynamic Stored Procedures=true`);
});
afterAll(async () => {
  await conn?.close();
  await emu?.close();
});
beforeEach(() => emu.reset());

/** paths (after the service root) of the requests sent since `from` */
function sentSince(from: number): string[] {
  return emu.requests().slice(from).map((r) => `${r.method} ${decodeURIComponent(r.url.replace(/^.*?\/api\/data\/v9\.\d\//, ''))}`);
}

describe('unbound functions', () => {
  it('WhoAmI by EXEC, EXECUTE, CALL (PostgreSQL) and in FROM', async () => {
    const expected = { UserId: emu.whoAmI.UserId, BusinessUnitId: emu.whoAmI.BusinessUnitId, OrganizationId: emu.whoAmI.OrganizationId };
    const exec = await conn.query('EXEC WhoAmI');
    expect(exec).toMatchObject({ command: 'EXEC', rowCount: 1, rows: [expected] });
    expect(exec.columns.map((c) => `${c.name}:${c.type}`)).toEqual(['BusinessUnitId:uniqueidentifier', 'UserId:uniqueidentifier', 'OrganizationId:uniqueidentifier']);
    expect((await conn.query('EXECUTE dbo.WhoAmI;')).rows).toEqual([expected]);
    expect((await conn.query('CALL WhoAmI()', undefined, { dialect: 'postgresql' })).rows).toEqual([expected]);
    const joined = await conn.query('SELECT u.fullname, w.BusinessUnitId FROM WhoAmI() AS w JOIN systemuser u ON u.systemuserid = w.UserId');
    expect(joined.rows).toEqual([{ fullname: 'System Administrator', BusinessUnitId: emu.whoAmI.BusinessUnitId }]);
  });

  it('RetrieveVersion as a procedure and as a filtered table-valued function', async () => {
    const version = (await conn.query('EXEC RetrieveVersion')).rows[0]!.Version as string;
    expect(version).toMatch(/^9\.2\.\d+\.\d+$/);
    const before = emu.requests().length;
    expect((await conn.query("SELECT Version FROM RetrieveVersion() WHERE Version LIKE '9.%'")).rows).toEqual([{ Version: version }]);
    expect(sentSince(before)).toEqual(['GET RetrieveVersion()']);
    expect((await conn.query("SELECT v.Version FROM RetrieveVersion() v WHERE v.Version LIKE '8.%'")).rows).toEqual([]);
  });

  it('EXPLAIN shows the function request without sending it', async () => {
    const before = emu.requests().length;
    const plan = (await conn.query("EXPLAIN SELECT v.Version FROM RetrieveVersion() v WHERE v.Version LIKE '9.%'")).rows.map((r) => r.plan);
    expect(plan[0]).toBe(`Function  GET ${emu.url}RetrieveVersion() → local table RetrieveVersion#1`);
    const text = await conn.explain('SELECT p.Depth FROM RetrieveUserPrivileges(@u) p', { u: emu.whoAmI.UserId });
    expect(text.split('\n')[0]).toBe(`Function  GET ${emu.url}systemusers(${emu.whoAmI.UserId})/Microsoft.Dynamics.CRM.RetrieveUserPrivileges() → local table RetrieveUserPrivileges#1`);
    expect(emu.requests().length).toBe(before);
  });

  it('RetrieveTotalRecordCount: a collection parameter through a parameter alias, named, positional and in FROM', async () => {
    const before = emu.requests().length;
    const named = await conn.query(`EXEC RetrieveTotalRecordCount @EntityNames = '["account","contact"]'`);
    expect(sentSince(before)).toEqual(['GET RetrieveTotalRecordCount(EntityNames=@p1)?@p1=["account","contact"]']);
    expect(JSON.parse(named.rows[0]!.EntityRecordCountCollection as string)).toMatchObject({ Keys: ['account', 'contact'], Values: [8, 16] });
    const positional = await conn.query('EXEC RetrieveTotalRecordCount ?', [['account']]);
    expect(JSON.parse(positional.rows[0]!.EntityRecordCountCollection as string)).toMatchObject({ Keys: ['account'], Values: [8] });
    const fromClause = await conn.query(`SELECT c.EntityRecordCountCollection FROM RetrieveTotalRecordCount('["contact"]') AS c`);
    expect(JSON.parse(fromClause.rows[0]!.EntityRecordCountCollection as string)).toMatchObject({ Values: [16] });
  });
});

describe('bound functions', () => {
  it('RetrieveUserPrivileges: the target by key, by record path and positionally; rows filtered in FROM', async () => {
    const before = emu.requests().length;
    const byKey = await conn.query('EXEC RetrieveUserPrivileges @Target = @user', { user: emu.whoAmI.UserId });
    expect(sentSince(before)).toEqual([`GET systemusers(${emu.whoAmI.UserId})/Microsoft.Dynamics.CRM.RetrieveUserPrivileges()`]);
    expect(byKey.rowCount).toBe(20);
    expect(byKey.rows).toContainEqual(expect.objectContaining({ Depth: 'Global', PrivilegeName: 'prvReadAccount', BusinessUnitId: emu.whoAmI.BusinessUnitId }));
    const byPath = await conn.query(`EXEC RetrieveUserPrivileges 'systemusers(${emu.whoAmI.UserId})'`);
    expect(byPath.rows).toEqual(byKey.rows);
    const filtered = await conn.query(
      "SELECT p.PrivilegeName FROM RetrieveUserPrivileges(@u) p WHERE p.PrivilegeName LIKE 'prvRead%' ORDER BY p.PrivilegeName", { u: emu.whoAmI.UserId });
    expect(filtered.rows.map((r) => r.PrivilegeName)).toEqual(['prvReadAccount', 'prvReadContact', 'prvReadIncident', 'prvReadLead', 'prvReadOpportunity']);
  });

  it('a target of the wrong table is refused before any request', async () => {
    const account = (await conn.query('SELECT TOP 1 accountid FROM account')).rows[0]!.accountid;
    const before = emu.requests().length;
    await expect(conn.query(`EXEC RetrieveUserPrivileges 'accounts(${account})'`)).rejects.toMatchObject({ code: 'DYNASQL_ERR_PARAMETER', message: expect.stringContaining("'@Target'") });
    await expect(conn.query('EXEC RetrieveUserPrivileges')).rejects.toMatchObject({ code: 'DYNASQL_ERR_PARAMETER', message: expect.stringContaining('Target') });
    await expect(conn.query("EXEC RetrieveUserPrivileges 'not-a-guid'")).rejects.toMatchObject({ code: 'DYNASQL_ERR_PARAMETER' });
    expect(emu.requests().length).toBe(before);
  });

  it('CalculateTotalTimeIncident (declared, not implemented by the emulator) goes out in the qualified bound form', async () => {
    const incident = (await conn.query('SELECT TOP 1 incidentid FROM incident')).rows[0]!.incidentid;
    const before = emu.requests().length;
    await expect(conn.query('EXEC CalculateTotalTimeIncident @incident', { incident })).rejects.toBeTruthy();
    expect(sentSince(before)).toEqual([`GET incidents(${incident})/Microsoft.Dynamics.CRM.CalculateTotalTimeIncident()`]);
  });
});

describe('actions', () => {
  it('WinOpportunity by named and by positional arguments: rowCount 1, no rows', async () => {
    const open = (await conn.query('SELECT TOP 2 opportunityid FROM opportunity WHERE statecode = 0 ORDER BY opportunityid')).rows.map((r) => r.opportunityid as string);
    expect(open).toHaveLength(2);
    const close = (id: string) => JSON.stringify({ subject: 'Won', 'opportunityid@odata.bind': `opportunities(${id})` });
    const named = await conn.query('EXEC WinOpportunity @OpportunityClose = @close, @Status = 3', { close: close(open[0]!) });
    expect(named).toMatchObject({ command: 'EXEC', rowCount: 1, rows: [] });
    const before = emu.requests().length;
    await conn.query(`EXEC WinOpportunity N'${close(open[1]!)}', 3`);
    const [sent] = emu.requests().slice(before);
    expect(`${sent!.method} ${sent!.url}`).toMatch(/^POST .*\/WinOpportunity$/);
    const states = await conn.query('SELECT statecode, statuscode FROM opportunity WHERE opportunityid IN (@a, @b)', { a: open[0], b: open[1] });
    expect(states.rows).toEqual([{ statecode: 1, statuscode: 3 }, { statecode: 1, statuscode: 3 }]);
    const closes = await conn.query("SELECT COUNT(*) AS n FROM opportunityclose WHERE subject = 'Won'");
    expect(closes.rows[0]!.n).toBe(2);
  });

  it('parameters are checked before any request, each error naming the parameter', async () => {
    const before = emu.requests().length;
    const cases: [string, RegExp][] = [
      ['EXEC WinOpportunity @Status = 3', /'@OpportunityClose': required/],
      [`EXEC WinOpportunity @OpportunityClose = '{}', @Status = 'three'`, /'@Status': 'three' is not a valid Edm\.Int32/],
      [`EXEC WinOpportunity @OpportunityClose = 'not json', @Status = 3`, /'@OpportunityClose'/],
      [`EXEC WinOpportunity @OpportunityClose = '{}', @Status = NULL`, /'@Status': cannot be NULL/],
      [`EXEC WinOpportunity @OpportunityClose = '{}', @Status = 3, @Stats = 1`, /'@Stats'.*Did you mean '@Status'/],
      [`EXEC WinOpportunity '{}', 3, 4`, /takes 2 parameter/],
      [`EXEC WinOpportunity @Status = 3, @Status = 4, @OpportunityClose = '{}'`, /'@Status': given twice/],
      [`EXEC QualifyLead @Target = @lead, @CreateAccount = 'maybe', @CreateContact = 0, @CreateOpportunity = 0, @Status = 3`, /'@CreateAccount'.*Boolean/],
    ];
    for (const [sql, message] of cases) {
      await expect(conn.query(sql, { lead: DOCUMENTED_IDS.lead }), sql).rejects.toMatchObject({ code: 'DYNASQL_ERR_PARAMETER', message: expect.stringMatching(message) });
    }
    await expect(conn.query('EXEC WinOportunity')).rejects.toMatchObject({ code: 'DYNASQL_ERR_UNKNOWN_PROCEDURE', message: expect.stringContaining("Did you mean 'WinOpportunity'") });
    await expect(conn.query('EXEC WinOpportunity @Status = ')).rejects.toMatchObject({ code: 'DYNASQL_ERR_SYNTAX' });
    await expect(conn.query('SELECT * FROM WinOpportunity(1, 2)')).rejects.toMatchObject({ code: 'DYNASQL_ERR_UNSUPPORTED_SQL', message: expect.stringContaining('EXEC') });
    expect(emu.requests().length).toBe(before);
  });

  it('QualifyLead (bound action) by named arguments returns the created records as rows', async () => {
    const before = emu.requests().length;
    const result = await conn.query(
      'EXEC QualifyLead @Target = @lead, @CreateAccount = 1, @CreateContact = 1, @CreateOpportunity = 1, @Status = 3', { lead: `leads(${DOCUMENTED_IDS.lead})` });
    const [sent] = emu.requests().slice(before);
    expect(`${sent!.method} ${sent!.url}`).toMatch(new RegExp(`^POST .*/leads\\(${DOCUMENTED_IDS.lead}\\)/Microsoft\\.Dynamics\\.CRM\\.QualifyLead$`));
    expect(result.columns.map((c) => c.name)).toEqual(['entitytype', 'id']);
    expect(result.rows.map((r) => r.entitytype)).toEqual(['account', 'contact', 'opportunity']);
    const account = await conn.query('SELECT originatingleadid FROM account WHERE accountid = @id', { id: result.rows[0]!.id });
    expect(account.rows).toEqual([{ originatingleadid: DOCUMENTED_IDS.lead }]);
  });

  it('QualifyLead by positional arguments, DEFAULT and NULL for the optional ones', async () => {
    const result = await conn.query(`EXEC QualifyLead '${DOCUMENTED_IDS.lead}', 1, 0, 0, NULL, DEFAULT, NULL, 3`);
    expect(result.rows).toEqual([{ entitytype: 'account', id: expect.stringMatching(/^[0-9a-f-]{36}$/) }]);
    expect((await conn.query('SELECT statecode, statuscode FROM lead WHERE leadid = @id', { id: DOCUMENTED_IDS.lead })).rows).toEqual([{ statecode: 1, statuscode: 3 }]);
  });

  it('the custom bound action new_AddNoteToContact returns its entity as columns (CALL with => too)', async () => {
    const result = await conn.query(`EXEC new_AddNoteToContact 'contacts(${DOCUMENTED_IDS.contact})', 'Title one', 'Text one'`);
    expect(result.columns).toEqual([{ name: 'annotationid', type: 'uniqueidentifier' }]);
    const note = await conn.query('SELECT subject, notetext, objectid FROM annotation WHERE annotationid = @id', { id: result.rows[0]!.annotationid });
    expect(note.rows).toEqual([{ subject: 'Title one', notetext: 'Text one', objectid: DOCUMENTED_IDS.contact }]);
    const call = await conn.query(`CALL new_AddNoteToContact(target => $1, notetext => 'Text two', notetitle => 'Title two')`, [DOCUMENTED_IDS.contact], { dialect: 'postgresql' });
    expect(call.rowCount).toBe(1);
  });
});

describe('built-in procedures', () => {
  it('Associate and Disassociate a one-to-many relationship through $ref', async () => {
    const account = (await conn.query('SELECT TOP 1 accountid FROM account ORDER BY accountid')).rows[0]!.accountid as string;
    const contact = (await conn.query('SELECT TOP 1 contactid FROM contact WHERE parentcustomerid IS NULL OR parentcustomerid <> @a', { a: account })).rows[0]!.contactid as string;
    const before = emu.requests().length;
    const associated = await conn.query(
      "EXEC Associate @Table = 'account', @Id = @a, @Relationship = 'contact_customer_accounts', @RelatedId = @c", { a: account, c: contact });
    expect(associated).toMatchObject({ command: 'EXEC', rowCount: 1 });
    expect(sentSince(before)).toEqual([`POST accounts(${account})/contact_customer_accounts/$ref`]);
    expect((await conn.query('SELECT parentcustomerid FROM contact WHERE contactid = @c', { c: contact })).rows).toEqual([{ parentcustomerid: account }]);
    const mid = emu.requests().length;
    await conn.query("EXEC Disassociate 'accounts', @a, 'contact_customer_accounts', @c", { a: account, c: contact });
    expect(sentSince(mid)).toEqual([`DELETE accounts(${account})/contact_customer_accounts/$ref?$id=${emu.url}contacts(${contact})`]);
    expect((await conn.query('SELECT parentcustomerid FROM contact WHERE contactid = @c', { c: contact })).rows).toEqual([{ parentcustomerid: null }]);
  });

  it('Associate and Disassociate a many-to-many relationship; the emulator lists the pair from both sides in between', async () => {
    const first = async (set: string, key: string) => ((await (await fetch(`${emu.url}${set}?$select=${key}&$top=2`)).json()) as { value: Record<string, string>[] }).value[1]![key]!;
    const listed = async (url: string, key: string) => ((await (await fetch(`${emu.url}${url}?$select=${key}`)).json()) as { value: Record<string, string>[] }).value.map((r) => r[key]);
    const account = await first('accounts', 'accountid'); // the second seed account has no leads
    const lead = await first('leads', 'leadid');
    expect(await listed(`accounts(${account})/accountleads_association`, 'leadid')).toEqual([]);
    const before = emu.requests().length;
    const associated = await conn.query(
      "EXEC Associate @Table = 'account', @Id = @a, @Relationship = 'accountleads_association', @RelatedId = @l", { a: account, l: lead });
    expect(associated).toMatchObject({ command: 'EXEC', rowCount: 1 });
    expect(sentSince(before)).toEqual([`POST accounts(${account})/accountleads_association/$ref`]);
    expect(JSON.parse(emu.requests().at(-1)!.body ?? '')).toEqual({ '@odata.id': `${emu.url}leads(${lead})` });
    expect(await listed(`accounts(${account})/accountleads_association`, 'leadid')).toEqual([lead]);
    expect(await listed(`leads(${lead})/accountleads_association`, 'accountid')).toEqual([account]);
    await expect(conn.query("EXEC Associate 'account', @a, 'accountleads_association', @l", { a: account, l: lead }))
      .rejects.toMatchObject({ message: expect.stringContaining('Cannot insert duplicate key') });
    const mid = emu.requests().length;
    await conn.query("EXEC Disassociate 'accounts', @a, 'accountleads_association', @l", { a: account, l: lead });
    expect(sentSince(mid)).toEqual([`DELETE accounts(${account})/accountleads_association/$ref?$id=${emu.url}leads(${lead})`]);
    expect(await listed(`accounts(${account})/accountleads_association`, 'leadid')).toEqual([]);
    expect(await listed(`leads(${lead})/accountleads_association`, 'accountid')).toEqual([]);
  });

  it('Associate refuses an unknown relationship or record before any request', async () => {
    const before = emu.requests().length;
    await expect(conn.query("EXEC Associate 'account', '00000000-0000-0000-0000-000000000001', 'contact_customer_acounts', '00000000-0000-0000-0000-000000000002'"))
      .rejects.toMatchObject({ code: 'DYNASQL_ERR_PARAMETER', message: expect.stringContaining("Did you mean 'contact_customer_accounts'") });
    await expect(conn.query("EXEC Associate 'account', 'x'' or 1 eq 1', 'contact_customer_accounts', '00000000-0000-0000-0000-000000000002'"))
      .rejects.toMatchObject({ code: 'DYNASQL_ERR_PARAMETER', message: expect.stringContaining('@Id') });
    expect(emu.requests().length).toBe(before);
  });

  it('RefreshMetadata fetches $metadata again and keeps the connection working', async () => {
    const before = emu.requests().length;
    const result = await conn.query('EXEC RefreshMetadata');
    expect(sentSince(before)).toEqual(['GET $metadata']);
    expect(result.rows[0]!.tables).toBeGreaterThan(10);
    expect((await conn.query('EXEC WhoAmI')).rows[0]!.UserId).toBe(emu.whoAmI.UserId);
  });

  it('GetOAuthAccessToken needs a Client Id (the full flow is in oauth-procedure.test.ts)', async () => {
    await expect(conn.query('EXEC GetOAuthAccessToken')).rejects.toMatchObject({ code: 'DYNASQL_ERR_CONFIG' });
  });
});

describe('catalog views of procedures', () => {
  it('sys_procedures lists the built-ins and every operation the service offers; sys_procedureparameters their parameters', async () => {
    const procedures = await conn.query('SELECT procedure_name, procedure_type, is_bound, parameter_count FROM sys_procedures ORDER BY procedure_name');
    expect(procedures.rows.map((r) => r.procedure_name)).toEqual([
      'Associate', 'CalculateTotalTimeIncident', 'Disassociate', 'GetOAuthAccessToken', 'new_AddNoteToContact', 'QualifyLead',
      'RefreshMetadata', 'RetrieveTotalRecordCount', 'RetrieveUserPrivileges', 'RetrieveVersion', 'WhoAmI', 'WinOpportunity',
    ].sort((a, b) => a.toLowerCase().localeCompare(b.toLowerCase())));
    const parameters = await conn.query(
      "SELECT parameter_name, ordinal_position, direction, data_type, is_binding FROM sys_procedureparameters WHERE procedure_name = 'QualifyLead' ORDER BY ordinal_position");
    expect(parameters.rows.map((r) => `${r.ordinal_position} ${r.direction} ${r.parameter_name} ${r.data_type}${r.is_binding ? ' binding' : ''}`)).toEqual([
      '0 OUT  null', '1 IN entity nvarchar binding', '2 IN CreateAccount bit', '3 IN CreateContact bit', '4 IN CreateOpportunity bit',
      '5 IN OpportunityCurrencyId nvarchar', '6 IN OpportunityCustomerId nvarchar', '7 IN SourceCampaignId nvarchar', '8 IN Status int',
    ]);
  });

  it('without Use Dynamic Stored Procedures only the built-ins exist, and calling an operation says which setting to turn on', async () => {
    const plain = await connect(`Url=${emu.url}`);
    try {
      const names = (await plain.query('SELECT procedure_name FROM sys_procedures')).rows.map((r) => r.procedure_name);
      expect(names).toEqual(['RefreshMetadata', 'GetOAuthAccessToken', 'Associate', 'Disassociate']);
      await expect(plain.query('EXEC WhoAmI')).rejects.toMatchObject({ code: 'DYNASQL_ERR_UNKNOWN_PROCEDURE', message: expect.stringContaining('Use Dynamic Stored Procedures') });
      expect((await plain.query('EXEC RefreshMetadata')).rowCount).toBe(1);
    } finally {
      await plain.close();
    }
  });
});

describe('read-only connections', () => {
  it('run functions but refuse actions and Associate before any request', async () => {
    const readOnly = await connect(`Url=${emu.url};Use Dynamic Stored Procedures=true;Read Only=true`);
    try {
      expect((await readOnly.query('EXEC WhoAmI')).rowCount).toBe(1);
      const before = emu.requests().length;
      await expect(readOnly.query(`EXEC WinOpportunity '{}', 3`)).rejects.toMatchObject({ code: 'DYNASQL_ERR_READ_ONLY_CONNECTION' });
      await expect(readOnly.query(`EXEC Associate 'account', '${DOCUMENTED_IDS.contact}', 'contact_customer_accounts', '${DOCUMENTED_IDS.contact}'`)).rejects.toMatchObject({ code: 'DYNASQL_ERR_READ_ONLY_CONNECTION' });
      expect(emu.requests().length).toBe(before);
    } finally {
      await readOnly.close();
    }
  });
});

describe('conn.action (entity-model API)', () => {
  it('JSON in, JSON out, annotations dropped; null for an action without a result', async () => {
    expect(await conn.action('WhoAmI')).toEqual({ BusinessUnitId: emu.whoAmI.BusinessUnitId, UserId: emu.whoAmI.UserId, OrganizationId: emu.whoAmI.OrganizationId });
    expect(await conn.action('RetrieveTotalRecordCount', { EntityNames: ['account'] })).toEqual({
      EntityRecordCountCollection: { Count: 1, IsReadOnly: false, Keys: ['account'], Values: [8] },
    });
    const created = await conn.action('QualifyLead', { Target: `leads(${DOCUMENTED_IDS.lead})`, CreateAccount: false, CreateContact: true, CreateOpportunity: false, Status: 3 });
    expect(created).toEqual({ value: [{ contactid: expect.stringMatching(/^[0-9a-f-]{36}$/) }] });
    const opportunity = (await conn.query('SELECT TOP 1 opportunityid FROM opportunity WHERE statecode = 0')).rows[0]!.opportunityid;
    expect(await conn.action('WinOpportunity', { Status: 3, OpportunityClose: { subject: 'Won', 'opportunityid@odata.bind': `opportunities(${opportunity})` } })).toBeNull();
    await expect(conn.action('WinOpportunity', { Status: 3 })).rejects.toMatchObject({ code: 'DYNASQL_ERR_PARAMETER' });
  });
});
