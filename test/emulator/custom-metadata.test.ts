import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runEmulatorCli } from '../../src/emulator/cli.js';
import { startEmulator, type RunningEmulator } from '../../src/emulator/index.js';
import { errorOf, get, send } from './helpers.js';

const EDMX = `<?xml version="1.0" encoding="utf-8"?>
<edmx:Edmx Version="4.0" xmlns:edmx="http://docs.oasis-open.org/odata/ns/edmx">
  <edmx:DataServices>
    <Schema Namespace="Contoso.Widgets" Alias="cw" xmlns="http://docs.oasis-open.org/odata/ns/edm">
      <EntityType Name="new_widget">
        <Key><PropertyRef Name="new_widgetid"/></Key>
        <Property Name="new_widgetid" Type="Edm.Guid"/>
        <Property Name="new_name" Type="Edm.String" MaxLength="10"/>
        <Property Name="new_weight" Type="Edm.Decimal"/>
        <Property Name="_new_parentid_value" Type="Edm.Guid"/>
        <NavigationProperty Name="new_parentid" Type="cw.new_widget" Partner="new_children">
          <ReferentialConstraint Property="_new_parentid_value" ReferencedProperty="new_widgetid"/>
        </NavigationProperty>
        <NavigationProperty Name="new_children" Type="Collection(cw.new_widget)" Partner="new_parentid"/>
      </EntityType>
      <EntityContainer Name="Widgets">
        <EntitySet Name="new_widgets" EntityType="Contoso.Widgets.new_widget"/>
      </EntityContainer>
    </Schema>
  </edmx:DataServices>
</edmx:Edmx>`;

let emu: RunningEmulator;
beforeAll(async () => {
  emu = await startEmulator({ port: 0, metadataXml: EDMX });
});
afterAll(async () => emu?.close());

describe('--metadata: any EDMX', () => {
  it('serves the given document and starts with empty, writable tables', async () => {
    expect((await get(`${emu.url}$metadata`)).text).toBe(EDMX);
    expect((await get(`${emu.url}new_widgets`)).json.value).toEqual([]);
    const parent = await send('POST', `${emu.url}new_widgets`, { new_name: 'Parent', new_weight: 1.5 });
    expect(parent.status).toBe(204);
    const child = await send('POST', `${emu.url}new_widgets`, { new_name: 'Child', 'new_parentid@odata.bind': parent.headers['odata-entityid'] });
    expect(child.status).toBe(204);
    const read = await get(`${parent.headers['odata-entityid']}?$select=new_name&$expand=new_children($select=new_name)`);
    expect(read.json.new_children.map((c: { new_name: string }) => c.new_name)).toEqual(['Child']);
  });

  it('uses the document namespace in errors and honours declared MaxLength', async () => {
    const unknown = await get(`${emu.url}new_widgets?$select=nosuch`);
    expect(errorOf(unknown)?.message).toBe("Could not find a property named 'nosuch' on type 'Contoso.Widgets.new_widget'.");
    const long = await send('POST', `${emu.url}new_widgets`, { new_name: 'x'.repeat(11) });
    expect(errorOf(long)).toEqual({ code: '0x80044331', message: "A validation error occurred.  The length of the 'new_name' attribute of the 'new_widget' entity exceeded the maximum allowed length of '10'." });
    expect((await get(`${emu.url}accounts`)).status).toBe(404);
  });

  it('the command reads --metadata FILE', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dynasql-emulator-'));
    const file = join(dir, 'widgets.xml');
    writeFileSync(file, EDMX);
    const out = new PassThrough();
    let text = '';
    out.on('data', (c: Buffer) => (text += c.toString()));
    const done = runEmulatorCli(['--port', '0', '--metadata', file], { stdout: out, stderr: new PassThrough() });
    for (let i = 0; i < 200 && !text.includes('\n'); i++) await new Promise((r) => setTimeout(r, 25));
    const url = text.split('\n')[0]!;
    expect((await get(`${url}new_widgets`)).status).toBe(200);
    process.emit('SIGINT');
    expect(await done).toBe(0);
  });
});
