import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type RunningEmulator } from '../../../src/emulator/index.js';
import { call, get, send, type Reply } from '../helpers.js';

let emulator: RunningEmulator;
beforeAll(async () => {
  emulator = await startEmulator({ edition: 'finops' });
});
afterAll(() => emulator.close());

const url = (path: string) => `${emulator.url}${path}`;
const inner = (reply: Reply) => reply.json.error as { code: string; message: string; innererror: { message: string; type: string } };

describe('F&O service root and metadata', () => {
  it('serves /data/ with the entity sets and a Microsoft.Dynamics.DataEntities $metadata', async () => {
    expect(emulator.url).toMatch(/\/data\/$/);
    const root = await get(url(''));
    expect(root.json.value.map((s: { name: string }) => s.name)).toEqual(expect.arrayContaining(['CustomersV3', 'VendorsV2', 'SalesOrderHeadersV2', 'SalesOrderLines', 'ReleasedProductsV2', 'LegalEntities']));
    const metadata = await get(url('$metadata'));
    expect(metadata.headers['content-type']).toContain('application/xml');
    expect(metadata.text).toContain('<Schema Namespace="Microsoft.Dynamics.DataEntities"');
    expect(metadata.text).toContain('<EntityContainer Name="Resources">');
    expect(metadata.text).not.toContain('edmx:Reference');
    expect(metadata.text).toContain('<Key><PropertyRef Name="dataAreaId" /><PropertyRef Name="CustomerAccount" /></Key>');
    expect(metadata.text).toContain('<EnumType Name="NoYes">');
  });
});

describe('F&O reads', () => {
  it('shows the default company only, and every company with cross-company=true', async () => {
    const own = await get(url('CustomersV3?$select=dataAreaId,CustomerAccount&$count=true'));
    expect(new Set(own.json.value.map((c: { dataAreaId: string }) => c.dataAreaId))).toEqual(new Set(['usmf']));
    const all = await get(url('CustomersV3?cross-company=true&$select=dataAreaId&$count=true'));
    expect(new Set(all.json.value.map((c: { dataAreaId: string }) => c.dataAreaId))).toEqual(new Set(['usmf', 'usrt', 'demf', 'gbsi']));
    expect(all.json['@odata.count']).toBe(own.json['@odata.count'] * 4);
    // the documented combination: all companies, then one of them by filter
    const usrt = await get(url("CustomersV3?cross-company=true&$filter=dataAreaId eq 'usrt'&$select=dataAreaId,CustomerAccount&$top=2"));
    expect(usrt.json.value).toEqual([
      expect.objectContaining({ dataAreaId: 'usrt', CustomerAccount: 'RT-001' }),
      expect.objectContaining({ dataAreaId: 'usrt', CustomerAccount: 'RT-002' }),
    ]);
    const noOther = await get(url("CustomersV3?$filter=dataAreaId eq 'usrt'"));
    expect(noOther.json.value).toEqual([]);
  });

  it('counts as the documented captures do: /$count is a plain number, $count=true counts past $top', async () => {
    expect((await get(url('CustomerGroups/$count'))).text).toBe('9');
    const one = await get(url('CustomerGroups?$top=1&$count=true'));
    expect(one.json['@odata.count']).toBe(9);
    expect(one.json.value).toHaveLength(1);
    expect((await get(url("CustomerGroups(dataAreaId='usmf',CustomerGroupId='10')"))).json).toMatchObject({ CustomerGroupId: '10', Description: 'Wholesale customers' });
  });

  it('reads a record by its composite key and answers $count as a plain number', async () => {
    const customer = await get(url("CustomersV3(dataAreaId='usmf',CustomerAccount='US-001')"));
    expect(customer.status).toBe(200);
    expect(customer.json).toMatchObject({ '@odata.context': `${emulator.url}$metadata#CustomersV3/$entity`, dataAreaId: 'usmf', CustomerAccount: 'US-001', OrganizationName: 'Contoso Retail San Diego' });
    expect(customer.json['@odata.etag']).toMatch(/^W\/"[A-Za-z0-9+/=]+"$/);
    expect(Buffer.from(/W\/"(.*)"/.exec(customer.json['@odata.etag'])![1]!, 'base64').toString()).toMatch(/^'0,\d+'$/);
    const count = await get(url('CustomersV3/$count'));
    expect(count.text).toMatch(/^\d+$/);
    const partial = await get(url("CustomersV3(CustomerAccount='US-001')"));
    expect(partial.status).toBe(400);
    expect(inner(partial).innererror.message).toBe("The number of keys specified in the URI does not match number of key properties for the resource 'Microsoft.Dynamics.DataEntities.CustomerV3'.");
  });

  it("returns enums as member names and filters with Microsoft.Dynamics.DataEntities.NoYes'Yes', eq and ne only", async () => {
    const yes = await get(url("CustomersV3?$filter=IsSalesTaxIncludedInPrice eq Microsoft.Dynamics.DataEntities.NoYes'Yes'&$select=CustomerAccount,IsSalesTaxIncludedInPrice"));
    expect(yes.json.value.length).toBeGreaterThan(0);
    for (const c of yes.json.value) expect(c.IsSalesTaxIncludedInPrice).toBe('Yes');
    const no = await get(url("CustomersV3?$filter=IsSalesTaxIncludedInPrice ne Microsoft.Dynamics.DataEntities.NoYes'Yes'&$select=IsSalesTaxIncludedInPrice&$count=true"));
    const all = await get(url('CustomersV3/$count'));
    expect(no.json['@odata.count'] + yes.json.value.length).toBe(Number(all.text));
    const ordered = await get(url("CustomersV3?$filter=IsSalesTaxIncludedInPrice gt Microsoft.Dynamics.DataEntities.NoYes'No'"));
    expect(ordered.status).toBe(400);
    const unknown = await get(url("CustomersV3?$filter=IsSalesTaxIncludedInPrice eq Microsoft.Dynamics.DataEntities.NoYes'Maybe'"));
    expect(unknown.status).toBe(400);
    expect(inner(unknown).innererror.message).toContain('is not a valid enumeration type constant');
  });

  it("matches wildcards in eq ('*retail*'), and refuses has and in", async () => {
    const retail = await get(url("CustomersV3?cross-company=true&$filter=OrganizationName eq '*retail*'&$select=OrganizationName"));
    expect(retail.json.value.length).toBeGreaterThan(0);
    for (const c of retail.json.value) expect(c.OrganizationName.toLowerCase()).toContain('retail');
    const starts = await get(url("CustomersV3?$filter=OrganizationName eq 'Contoso*'&$select=OrganizationName"));
    for (const c of starts.json.value) expect(c.OrganizationName).toMatch(/^Contoso/);
    for (const filter of ["CustomerGroupId in ('10','20')", "IsSalesTaxIncludedInPrice has Microsoft.Dynamics.DataEntities.NoYes'Yes'"]) {
      const refused = await get(url(`CustomersV3?$filter=${encodeURIComponent(filter)}`));
      expect(refused.status).toBe(400);
      expect(inner(refused).code).toBe('');
    }
  });

  it('supports $skip, and expands one level only (orders ↔ lines)', async () => {
    const first = await get(url('CustomersV3?$select=CustomerAccount&$top=3'));
    const skipped = await get(url('CustomersV3?$select=CustomerAccount&$skip=1&$top=2'));
    expect(skipped.json.value.map((c: { CustomerAccount: string }) => c.CustomerAccount)).toEqual(first.json.value.slice(1).map((c: { CustomerAccount: string }) => c.CustomerAccount));
    const order = await get(url("SalesOrderHeadersV2(dataAreaId='usmf',SalesOrderNumber='000001')?$expand=SalesOrderLines($select=SalesOrderNumber,LineNumber)"));
    expect(order.json.SalesOrderLines.length).toBe(3);
    for (const line of order.json.SalesOrderLines) expect(line.SalesOrderNumber).toBe('000001');
    const line = await get(url("SalesOrderLines?$top=1&$expand=SalesOrderHeader($select=SalesOrderNumber,dataAreaId)"));
    expect(line.json.value[0].SalesOrderHeader).toEqual(expect.objectContaining({ SalesOrderNumber: line.json.value[0].SalesOrderNumber, dataAreaId: 'usmf' }));
    const viaNav = await get(url("SalesOrderHeadersV2(dataAreaId='usmf',SalesOrderNumber='000001')/SalesOrderLines?$select=LineNumber"));
    expect(viaNav.json.value.map((l: { LineNumber: number }) => l.LineNumber)).toEqual([1, 2, 3]);
    const nested = await get(url('SalesOrderLines?$top=1&$expand=SalesOrderHeader($expand=SalesOrderLines)'));
    expect(nested.status).toBe(400);
  });

  it('writes the full-metadata record shape of the documented capture on odata.metadata=full', async () => {
    const group = await get(url("CustomerGroups(dataAreaId='usmf',CustomerGroupId='10')"), { Accept: 'application/json; odata.metadata=full' });
    expect(Object.keys(group.json).slice(0, 5)).toEqual(['@odata.context', '@odata.type', '@odata.id', '@odata.etag', '@odata.editLink']);
    expect(group.json).toMatchObject({
      '@odata.type': '#Microsoft.Dynamics.DataEntities.CustomerGroup',
      '@odata.id': url("CustomerGroups(dataAreaId='usmf',CustomerGroupId='10')"),
      '@odata.editLink': "CustomerGroups(dataAreaId='usmf',CustomerGroupId='10')",
      'IsSalesTaxIncludedInPrice@odata.type': '#Microsoft.Dynamics.DataEntities.NoYes',
      IsSalesTaxIncludedInPrice: 'No',
    });
    const order = await get(url("SalesOrderHeadersV2(dataAreaId='usmf',SalesOrderNumber='000001')?$select=SalesOrderNumber"), { Accept: 'application/json; odata.metadata=full' });
    expect(order.json['SalesOrderLines@odata.navigationLink']).toBe(url("SalesOrderHeadersV2(dataAreaId='usmf',SalesOrderNumber='000001')/SalesOrderLines"));
    expect(order.json['SalesOrderLines@odata.associationLink']).toBe(url("SalesOrderHeadersV2(dataAreaId='usmf',SalesOrderNumber='000001')/SalesOrderLines/$ref"));
    const minimal = await get(url("CustomerGroups(dataAreaId='usmf',CustomerGroupId='10')"));
    expect(minimal.json['@odata.type']).toBeUndefined();
  });

  it('answers an unknown segment with the F&O error shape', async () => {
    const reply = await get(url('NoSuchEntities'));
    expect(reply.status).toBe(404);
    expect(reply.json).toEqual({ error: { code: '', message: 'An error has occurred.', innererror: { message: "Resource not found for the segment 'NoSuchEntities'.", type: 'Microsoft.OData.Core.ODataException', stacktrace: '' } } });
  });

  it('answers the GetApplicationBuildVersion action', async () => {
    const reply = await send('POST', url('DataManagementDefinitionGroups/Microsoft.Dynamics.DataEntities.GetApplicationBuildVersion'), {});
    expect(reply.status).toBe(200);
    expect(reply.json).toEqual({ '@odata.context': `${emulator.url}$metadata#Edm.String`, value: expect.stringMatching(/^10\.0\.\d+\.\d+$/) });
  });
});

describe('F&O writes', () => {
  const key = "CustomersV3(dataAreaId='usmf',CustomerAccount='T-0001')";

  it('creates with 201 and the entity, updates and deletes with 204', async () => {
    const created = await send('POST', url('CustomersV3'), {
      '@odata.type': '#Microsoft.Dynamics.DataEntities.CustomerV3', dataAreaId: 'usmf', CustomerAccount: 'T-0001', OrganizationName: 'Test customer', IsSalesTaxIncludedInPrice: 'Yes',
    });
    expect(created.status).toBe(201);
    expect(created.headers.location).toBe(url(key));
    expect(created.json).toMatchObject({ CustomerAccount: 'T-0001', OrganizationName: 'Test customer', IsSalesTaxIncludedInPrice: 'Yes', CustomerGroupId: '', CreditLimit: 0 });

    expect((await send('PATCH', url(key), { OrganizationName: 'Renamed', CreditLimit: 1500 })).status).toBe(204);
    expect((await get(url(`${key}?$select=OrganizationName,CreditLimit,IsSalesTaxIncludedInPrice`))).json).toMatchObject({ OrganizationName: 'Renamed', CreditLimit: 1500, IsSalesTaxIncludedInPrice: 'Yes' });
    expect((await send('PUT', url(key), { OrganizationName: 'Replaced' })).status).toBe(204);
    expect((await get(url(`${key}?$select=OrganizationName,CreditLimit,IsSalesTaxIncludedInPrice`))).json).toMatchObject({ OrganizationName: 'Replaced', CreditLimit: 0, IsSalesTaxIncludedInPrice: 'No' });
    expect((await send('DELETE', url(key))).status).toBe(204);
    expect((await get(url(key))).status).toBe(404);
  });

  it('answers a failed write with 500 and the AxODataWriteException in innererror', async () => {
    const duplicate = await send('POST', url('CustomersV3'), { dataAreaId: 'usmf', CustomerAccount: 'US-001' });
    expect(duplicate.status).toBe(500);
    expect(inner(duplicate)).toMatchObject({ code: '', message: 'An error has occurred.' });
    expect(inner(duplicate).innererror.type).toBe('Microsoft.Dynamics.Platform.Integration.Services.OData.AxODataWriteException');
    expect(inner(duplicate).innererror.message).toMatch(/^Write failed for table row of type 'CustCustomerV3Entity'\. Infolog: .*The record already exists/s);
  });

  it('reproduces the documented CustomerGroups examples: 201 on create, the duplicate write failure, PATCH and DELETE 204', async () => {
    const group = { '@odata.type': '#Microsoft.Dynamics.DataEntities.CustomerGroup', CustomerGroupId: 'T1', dataAreaId: 'usmf', Description: 'Batch 2 Test group T1' };
    const created = await send('POST', url('CustomerGroups'), group);
    expect(created.status).toBe(201);
    expect(created.headers.location).toBe(url("CustomerGroups(dataAreaId='usmf',CustomerGroupId='T1')"));
    const again = await send('POST', url('CustomerGroups'), group);
    expect(again.status).toBe(500);
    expect(again.json).toEqual({ error: { code: '', message: 'An error has occurred.', innererror: {
      message: "Write failed for table row of type 'CustCustomerGroupEntity'. Infolog: Info: Cannot create a record in Customer groups (CustGroup). Customer group: T1, Batch 2 Test group T1.\nThe record already exists..",
      type: 'Microsoft.Dynamics.Platform.Integration.Services.OData.AxODataWriteException', stacktrace: '',
    } } });
    expect((await send('PATCH', url("CustomerGroups(dataAreaId='usmf',CustomerGroupId='T1')"), { Description: 'Renamed' })).status).toBe(204);
    expect((await send('DELETE', url("CustomerGroups(dataAreaId='usmf',CustomerGroupId='T1')"))).status).toBe(204);
  });

  it('refuses unknown properties and bad enum values before writing (400)', async () => {
    const unknown = await send('POST', url('CustomersV3'), { CustomerAccount: 'T-0002', Colour: 'red' });
    expect(unknown.status).toBe(400);
    expect(inner(unknown).innererror.message).toContain("The property 'Colour' does not exist on type 'Microsoft.Dynamics.DataEntities.CustomerV3'");
    const badEnum = await send('POST', url('CustomersV3'), { CustomerAccount: 'T-0002', IsSalesTaxIncludedInPrice: 'Maybe' });
    expect(inner(badEnum).innererror.message).toBe("Cannot convert the literal 'Maybe' to the expected type 'Microsoft.Dynamics.DataEntities.NoYes'.");
    expect((await get(url("CustomersV3(dataAreaId='usmf',CustomerAccount='T-0002')"))).status).toBe(404);
  });

  it('creates in the default company when dataAreaId is left out, and resets to the seed', async () => {
    expect((await send('POST', url('VendorsV2'), { VendorAccountNumber: 'V-NEW' })).status).toBe(201);
    expect((await get(url("VendorsV2(dataAreaId='usmf',VendorAccountNumber='V-NEW')"))).status).toBe(200);
    await send('POST', `${emulator.origin}/_emulator/reset`);
    expect((await get(url("VendorsV2(dataAreaId='usmf',VendorAccountNumber='V-NEW')"))).status).toBe(404);
  });
});

describe('F&O paging', () => {
  it('pages at 10,000 rows with $skip/$top nextLinks, losing and repeating nothing', async () => {
    const big = await startEmulator({ edition: 'finops', rows: 48_000 });
    try {
      const seen = new Set<string>();
      let next: string | undefined = `${big.url}CustomersV3?cross-company=true&$select=dataAreaId,CustomerAccount&$top=25000`;
      const links: string[] = [];
      const sizes: number[] = [];
      for (let pages = 0; next && pages < 10; pages++) {
        const page = await get(next);
        sizes.push(page.json.value.length);
        for (const c of page.json.value) seen.add(`${c.dataAreaId}/${c.CustomerAccount}`);
        next = page.json['@odata.nextLink'];
        if (next) links.push(next);
      }
      expect(sizes).toEqual([10_000, 10_000, 5_000]);
      expect(seen.size).toBe(25_000);
      expect(links[0]).toBe(`${big.url}CustomersV3?cross-company=true&$select=dataAreaId,CustomerAccount&$skip=10000&$top=15000`);
      const plain = await get(`${big.url}CustomersV3?$select=CustomerAccount`);
      expect(plain.json.value).toHaveLength(10_000);
      expect(plain.json['@odata.nextLink']).toBe(`${big.url}CustomersV3?$select=CustomerAccount&$skip=10000`);
    } finally {
      await big.close();
    }
  });
});

describe('F&O $batch', () => {
  const boundary = 'batch_fo1';
  const changeset = 'changeset_fo1';
  const part = (method: string, path: string, body?: unknown, contentId?: string) => [
    'Content-Type: application/http', 'Content-Transfer-Encoding: binary', ...(contentId ? [`Content-ID: ${contentId}`] : []), '',
    `${method} ${emulator.url}${path} HTTP/1.1`, 'Content-Type: application/json', '', body === undefined ? '' : JSON.stringify(body),
  ].join('\r\n');
  const batchBody = (parts: string[]) => [`--${boundary}`, `Content-Type: multipart/mixed; boundary=${changeset}`, '',
    ...parts.flatMap((p) => [`--${changeset}`, p]), `--${changeset}--`, `--${boundary}--`, ''].join('\r\n');
  const postBatch = (body: string) => call(url('$batch'), { method: 'POST', headers: { 'Content-Type': `multipart/mixed; boundary=${boundary}` }, body });

  it('commits a change set as a whole', async () => {
    const reply = await postBatch(batchBody([
      part('POST', 'CustomersV3', { CustomerAccount: 'B-001', OrganizationName: 'Batch one' }, '1'),
      part('POST', 'CustomersV3', { CustomerAccount: 'B-002', OrganizationName: 'Batch two' }, '2'),
    ]));
    expect(reply.status).toBe(200);
    expect(reply.text.match(/HTTP\/1\.1 201 Created/g)).toHaveLength(2);
    expect((await get(url("CustomersV3(dataAreaId='usmf',CustomerAccount='B-002')"))).status).toBe(200);
  });

  it('rolls a change set back when one of its writes fails', async () => {
    const reply = await postBatch(batchBody([
      part('POST', 'CustomersV3', { CustomerAccount: 'B-003', OrganizationName: 'Rolled back' }, '1'),
      part('POST', 'CustomersV3', { CustomerAccount: 'US-001' }, '2'),
    ]));
    expect(reply.text).toContain('The record already exists');
    expect((await get(url("CustomersV3(dataAreaId='usmf',CustomerAccount='B-003')"))).status).toBe(404);
  });
});
