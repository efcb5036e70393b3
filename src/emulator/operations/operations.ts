import { INVALID_ARGUMENT, ODataError, queryError, recordNotFound } from '../errors.js';
import type { OperationDef } from '../metadata/model.js';
import type { QueryScope } from '../query/scope.js';
import type { Row } from '../store/row.js';
import type { Table } from '../store/table.js';
import type { EmulatorState, ODataResponse } from '../state.js';
import { resolveReference } from '../http/keys.js';
import { emptyResponse, jsonResponse } from '../http/respond.js';
import { createRecord, isObject, updateRecord, type WriteContext } from '../http/write.js';

/** One invocation of an action or function, with its parameters already decoded. */
export interface OperationCall {
  state: EmulatorState;
  scope: QueryScope;
  def: OperationDef;
  params: Record<string, unknown>;
  bound?: { table: Table; id: string; row: Row };
  serviceRoot: string;
  write: WriteContext;
}

type Handler = (call: OperationCall) => ODataResponse;

const ns = (state: EmulatorState) => state.model.namespace;
const context = (call: OperationCall, fragment: string) => `${call.serviceRoot}$metadata#${fragment}`;
const str = (value: unknown, name: string): string => {
  if (typeof value !== 'string') throw queryError(`The parameter '${name}' is required and must be a string.`);
  return value;
};

/** The operations the emulator implements; the others declared in metadata answer 501. */
export const OPERATIONS: Record<string, Handler> = {
  WhoAmI: (call) => jsonResponse(200, {
    '@odata.context': context(call, `${ns(call.state)}.WhoAmIResponse`),
    BusinessUnitId: call.state.whoAmI.BusinessUnitId,
    UserId: call.scope.userId,
    OrganizationId: call.state.whoAmI.OrganizationId,
  }),

  RetrieveVersion: (call) => jsonResponse(200, { '@odata.context': context(call, `${ns(call.state)}.RetrieveVersionResponse`), Version: call.state.version }),

  RetrieveTotalRecordCount: (call) => {
    const names = call.params.EntityNames;
    if (!Array.isArray(names)) throw queryError("The parameter 'EntityNames' is required and must be a collection of strings.");
    const values = names.map((n) => {
      const table = call.state.store.table(String(n));
      if (!table) throw new ODataError(404, '0x80040217', `The entity with a name = '${String(n)}' with namemapping = 'Logical' was not found in the MetadataCache.`);
      return table.count();
    });
    return jsonResponse(200, {
      '@odata.context': context(call, `${ns(call.state)}.RetrieveTotalRecordCountResponse`),
      EntityRecordCountCollection: { Count: names.length, IsReadOnly: false, Keys: names.map(String), Values: values },
    });
  },

  RetrieveUserPrivileges: (call) => {
    const bu = String(call.bound!.row.values._businessunitid_value ?? call.state.whoAmI.BusinessUnitId);
    const privileges = ['Account', 'Contact', 'Lead', 'Opportunity', 'Incident'].flatMap((entity, i) =>
      ['Create', 'Read', 'Write', 'Delete'].map((verb, j) => ({
        Depth: 'Global',
        PrivilegeId: `${(i * 4 + j + 1).toString(16).padStart(8, '0')}-0000-4000-8000-00000000c0de`,
        BusinessUnitId: bu,
        PrivilegeName: `prv${verb}${entity}`,
      })));
    return jsonResponse(200, { '@odata.context': context(call, `${ns(call.state)}.RetrieveUserPrivilegesResponse`), RolePrivileges: privileges });
  },

  /** Closes the opportunity as won and records the OpportunityClose activity; 204 (protocol §7). */
  WinOpportunity: (call) => {
    const close = call.params.OpportunityClose;
    const status = call.params.Status;
    if (!isObject(close)) throw queryError("The parameter 'OpportunityClose' is required.");
    if (typeof status !== 'number') throw queryError("The parameter 'Status' is required and must be an integer.");
    const bind = close['opportunityid@odata.bind'];
    if (typeof bind !== 'string') throw queryError("OpportunityClose must reference the opportunity with 'opportunityid@odata.bind'.");
    const opportunity = resolveReference(call.state, bind, call.write.contentIds);
    if (opportunity.table.entity.name !== 'opportunity') throw queryError("'opportunityid@odata.bind' must reference an opportunity.");
    if (opportunity.row.values.statecode !== 0 && opportunity.row.values.statecode !== undefined) {
      throw new ODataError(400, INVALID_ARGUMENT, 'Cannot close the opportunity because it is not open.');
    }
    call.state.store.atomically(() => {
      const closeTable = call.state.store.table('opportunityclose');
      if (closeTable) createRecord(call.state, closeTable, close, call.write);
      updateRecord(call.state, opportunity.table, opportunity.row, { statecode: 1, statuscode: status }, call.write);
    });
    return emptyResponse(204);
  },

  /** Qualifies a lead, creating the records asked for; returns them (protocol §7). */
  QualifyLead: (call) => {
    const lead = call.bound!;
    const p = call.params;
    for (const name of ['CreateAccount', 'CreateContact', 'CreateOpportunity']) {
      if (typeof p[name] !== 'boolean') throw queryError(`The parameter '${name}' is required and must be a boolean.`);
    }
    if (typeof p.Status !== 'number') throw queryError("The parameter 'Status' is required and must be an integer.");
    if (lead.row.values.statecode !== 0) throw new ODataError(400, INVALID_ARGUMENT, 'The lead is closed. You cannot convert or qualify a lead that is already closed.');
    const created: Record<string, unknown>[] = [];
    const v = lead.row.values;
    call.state.store.atomically(() => {
      const store = call.state.store;
      const leadRef = `leads(${lead.id})`;
      let account: Row | undefined;
      let contact: Row | undefined;
      if (p.CreateAccount) {
        account = createRecord(call.state, store.table('account')!, { name: v.companyname ?? v.fullname ?? 'Qualified lead', 'originatingleadid@odata.bind': leadRef }, call.write);
        created.push({ '@odata.type': `#${ns(call.state)}.account`, accountid: account.values.accountid });
      }
      if (p.CreateContact) {
        contact = createRecord(call.state, store.table('contact')!, {
          firstname: v.firstname ?? null, lastname: v.lastname ?? null, emailaddress1: v.emailaddress1 ?? null, 'originatingleadid@odata.bind': leadRef,
          ...(account ? { 'parentcustomerid_account@odata.bind': `accounts(${account.values.accountid})` } : {}),
        }, call.write);
        created.push({ '@odata.type': `#${ns(call.state)}.contact`, contactid: contact.values.contactid });
      }
      if (p.CreateOpportunity) {
        const customer = account ? { 'customerid_account@odata.bind': `accounts(${account.values.accountid})` }
          : contact ? { 'customerid_contact@odata.bind': `contacts(${contact.values.contactid})` } : {};
        const opportunity = createRecord(call.state, store.table('opportunity')!, { name: v.subject ?? 'Opportunity', 'originatingleadid@odata.bind': leadRef, ...customer }, call.write);
        created.push({ '@odata.type': `#${ns(call.state)}.opportunity`, opportunityid: opportunity.values.opportunityid });
      }
      updateRecord(call.state, lead.table, lead.row, { statecode: 1, statuscode: p.Status }, call.write);
    });
    return jsonResponse(200, { '@odata.context': context(call, `Collection(${ns(call.state)}.crmbaseentity)`), value: created });
  },

  /** The docs' custom action example: adds a note to a contact, returns the annotation (PA/act). */
  new_AddNoteToContact: (call) => {
    const table = call.state.store.table('annotation');
    if (!table) throw recordNotFound('annotation', '');
    const note = createRecord(call.state, table, {
      subject: str(call.params.NoteTitle, 'NoteTitle'), notetext: str(call.params.NoteText, 'NoteText'),
      'objectid_contact@odata.bind': `contacts(${call.bound!.id})`,
    }, call.write);
    return jsonResponse(200, { '@odata.context': context(call, 'annotations/$entity'), annotationid: note.values.annotationid });
  },
};
