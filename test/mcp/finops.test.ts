/**
 * What describe_table and the naming prompt say about a Finance & Operations org (the emulator's F&O
 * edition): natural keys in the key's order, enums by member name, and F&O's conventions rather than
 * Dataverse's lookups and choices.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator } from '../../src/emulator/index.js';
import { connect, type Catalog, type Connection } from '../../src/index.js';
import { describeTable } from '../../src/mcp/describe-table.js';
import { namingPromptText } from '../../src/mcp/naming-prompt.js';

let emulator: Awaited<ReturnType<typeof startEmulator>>;
let conn: Connection;
let catalog: Catalog;

beforeAll(async () => {
  emulator = await startEmulator({ port: 0, edition: 'finops' });
  conn = await connect(`Url=${emulator.url};Auth Scheme=None;Edition=FinOpsOnline`);
  catalog = await conn.catalog();
});
afterAll(async () => {
  await conn?.close();
  await emulator?.close();
});

describe('dynasql mcp on Finance & Operations', () => {
  it('describes a data entity with its natural key in order and its enums by member name', () => {
    const text = describeTable(catalog.tables.find((t) => t.name === 'CustomersV3')!);
    const lines = text.split('\n');
    expect(lines.slice(1, 4)).toEqual([
      'CREATE TABLE CustomersV3 (',
      '  dataAreaId nvarchar(4) NOT NULL, -- primary key',
      '  CustomerAccount nvarchar(20) NOT NULL, -- primary key',
    ]);
    expect(text).toContain('OnHoldStatus nvarchar(11) NOT NULL, -- enum, written by member name: No, Invoice, All, Payment, Requisition, Never');
    expect(text).toContain('CONSTRAINT PK_CustomersV3 PRIMARY KEY (dataAreaId, CustomerAccount)\n);');
  });

  it("teaches F&O's conventions, with an enum of this org, and none of Dataverse's", () => {
    const text = namingPromptText(catalog);
    expect(text).toContain('This org is Finance & Operations');
    expect(text).toMatch(/- An enum column holds the member's name as text: \w+\.\w+ is one of '\w+', '\w+'(, '\w+')?(, …)?; compare and write those names\./);
    expect(text).not.toContain('lookup');
    expect(text).not.toContain('statecode');
  });
});
