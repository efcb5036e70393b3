import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DOCUMENTED_IDS, startEmulator, type RunningEmulator } from '../../src/emulator/index.js';
import { errorOf, get, send } from './helpers.js';

let emu: RunningEmulator;
let root: string;

beforeAll(async () => {
  emu = await startEmulator({ port: 0, rows: 30 });
  root = emu.url;
});
afterAll(async () => emu?.close());
beforeEach(() => emu.reset());

describe('unbound functions and actions (protocol §7)', () => {
  it('WhoAmI with and without parentheses', async () => {
    for (const path of ['WhoAmI()', 'WhoAmI']) {
      const r = await get(`${root}${path}`);
      expect(r.status).toBe(200);
      expect(r.json).toEqual({
        '@odata.context': `${root}$metadata#Microsoft.Dynamics.CRM.WhoAmIResponse`,
        BusinessUnitId: emu.whoAmI.BusinessUnitId,
        UserId: emu.whoAmI.UserId,
        OrganizationId: emu.whoAmI.OrganizationId,
      });
    }
    const user = await get(`${root}systemusers(${emu.whoAmI.UserId})?$select=fullname`);
    expect(user.json.fullname).toBe('System Administrator');
  });

  it('RetrieveVersion', async () => {
    const r = await get(`${root}RetrieveVersion()`);
    expect(r.json['@odata.context']).toBe(`${root}$metadata#Microsoft.Dynamics.CRM.RetrieveVersionResponse`);
    expect(r.json.Version).toMatch(/^9\.2\.\d+\.\d+$/);
  });

  it('RetrieveTotalRecordCount inline and with an alias', async () => {
    const inline = await get(`${root}RetrieveTotalRecordCount(EntityNames=['account'])`);
    expect(inline.json.EntityRecordCountCollection).toMatchObject({ Keys: ['account'], Values: [30] });
    const alias = await get(`${root}RetrieveTotalRecordCount(EntityNames=@p1)?@p1=["account","contact"]`);
    expect(alias.json.EntityRecordCountCollection).toMatchObject({ Keys: ['account', 'contact'], Values: [30, 60] });
  });

  it('functions refuse POST and actions refuse GET', async () => {
    expect((await send('POST', `${root}WhoAmI`)).status).toBe(405);
    expect((await get(`${root}WinOpportunity`)).status).toBe(405);
  });

  it('WinOpportunity closes the opportunity as won and records the close: 204', async () => {
    const opp = (await get(`${root}opportunities?$select=name&$filter=statecode eq 0&$top=1`)).json.value[0];
    const r = await send('POST', `${root}WinOpportunity`, {
      Status: 3,
      OpportunityClose: { subject: 'Won Opportunity', 'opportunityid@odata.bind': `${root}opportunities(${opp.opportunityid})` },
    });
    expect(r.status).toBe(204);
    const after = await get(`${root}opportunities(${opp.opportunityid})?$select=statecode,statuscode`);
    expect(after.json).toMatchObject({ statecode: 1, statuscode: 3 });
    const closes = await get(`${root}opportunitycloses?$select=subject,_opportunityid_value`);
    expect(closes.json.value).toEqual([expect.objectContaining({ subject: 'Won Opportunity', _opportunityid_value: opp.opportunityid })]);
    const again = await send('POST', `${root}WinOpportunity`, { Status: 3, OpportunityClose: { subject: 'x', 'opportunityid@odata.bind': `opportunities(${opp.opportunityid})` } });
    expect(again.status).toBe(400);
  });
});

describe('bound operations', () => {
  it('QualifyLead on the documented lead returns the created records', async () => {
    const r = await send('POST', `${root}leads(${DOCUMENTED_IDS.lead})/Microsoft.Dynamics.CRM.QualifyLead`, {
      CreateAccount: true, CreateContact: true, CreateOpportunity: true, Status: 3,
    });
    expect(r.status).toBe(200);
    expect(r.json['@odata.context']).toBe(`${root}$metadata#Collection(Microsoft.Dynamics.CRM.crmbaseentity)`);
    expect(r.json.value.map((v: Record<string, string>) => v['@odata.type'])).toEqual([
      '#Microsoft.Dynamics.CRM.account', '#Microsoft.Dynamics.CRM.contact', '#Microsoft.Dynamics.CRM.opportunity']);
    const [account, contact, opportunity] = r.json.value;
    expect((await get(`${root}accounts(${account.accountid})?$select=_originatingleadid_value`)).json._originatingleadid_value).toBe(DOCUMENTED_IDS.lead);
    expect((await get(`${root}contacts(${contact.contactid})?$select=_parentcustomerid_value`)).json._parentcustomerid_value).toBe(account.accountid);
    expect((await get(`${root}opportunities(${opportunity.opportunityid})?$select=_customerid_value`)).json._customerid_value).toBe(account.accountid);
    expect((await get(`${root}leads(${DOCUMENTED_IDS.lead})?$select=statecode,statuscode`)).json).toMatchObject({ statecode: 1, statuscode: 3 });
    const twice = await send('POST', `${root}leads(${DOCUMENTED_IDS.lead})/Microsoft.Dynamics.CRM.QualifyLead`, { CreateAccount: false, CreateContact: false, CreateOpportunity: false, Status: 3 });
    expect(twice.status).toBe(400);
  });

  it('a bound operation without the namespace → Request message has unresolved parameters', async () => {
    const r = await send('POST', `${root}leads(${DOCUMENTED_IDS.lead})/QualifyLead`, { CreateAccount: true, CreateContact: false, CreateOpportunity: false, Status: 3 });
    expect(r.status).toBe(400);
    expect(errorOf(r)?.message).toBe('Request message has unresolved parameters');
  });

  it('RetrieveUserPrivileges is a bound function on systemusers', async () => {
    const r = await get(`${root}systemusers(${emu.whoAmI.UserId})/Microsoft.Dynamics.CRM.RetrieveUserPrivileges`);
    expect(r.status).toBe(200);
    expect(r.json['@odata.context']).toBe(`${root}$metadata#Microsoft.Dynamics.CRM.RetrieveUserPrivilegesResponse`);
    expect(r.json.RolePrivileges).toContainEqual(expect.objectContaining({ Depth: 'Global', PrivilegeName: 'prvReadAccount', BusinessUnitId: emu.whoAmI.BusinessUnitId }));
    const wrongType = await get(`${root}accounts(${(await get(`${root}accounts?$top=1&$select=name`)).json.value[0].accountid})/Microsoft.Dynamics.CRM.RetrieveUserPrivileges`);
    expect(wrongType.status).toBe(404);
  });

  it('the docs custom action new_AddNoteToContact returns the annotation', async () => {
    const r = await send('POST', `${root}contacts(${DOCUMENTED_IDS.contact})/Microsoft.Dynamics.CRM.new_AddNoteToContact`, { NoteTitle: 'New Note Title', NoteText: 'This is the text of the note' });
    expect(r.status).toBe(200);
    expect(r.json['@odata.context']).toBe(`${root}$metadata#annotations/$entity`);
    const note = await get(`${root}annotations(${r.json.annotationid})?$select=subject,notetext,_objectid_value`);
    expect(note.json).toMatchObject({ subject: 'New Note Title', notetext: 'This is the text of the note', _objectid_value: DOCUMENTED_IDS.contact });
  });
});
