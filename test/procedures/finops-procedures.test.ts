/** Finance & Operations: the OData actions its metadata declares, through connect() against the emulator's F&O mode. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type RunningEmulator } from '../../src/emulator/index.js';
import { connect, type ConnectedConnection } from '../../src/index.js';

let emu: RunningEmulator;
let conn: ConnectedConnection;

beforeAll(async () => {
  emu = await startEmulator({ port: 0, rows: 3, edition: 'finops' });
  conn = await connect(`Url=${emu.url};Use Dynamic Stored Procedures=true`);
});
afterAll(async () => {
  await conn?.close();
  await emu?.close();
});

describe('F&O actions', () => {
  it('GetApplicationBuildVersion (collection-bound): the entity set by default, positionally or as @Target', async () => {
    const before = emu.requests().length;
    const result = await conn.query('EXEC GetApplicationBuildVersion');
    expect(result).toMatchObject({ command: 'EXEC', rowCount: 1, columns: [{ name: 'GetApplicationBuildVersion', type: 'nvarchar' }], rows: [{ GetApplicationBuildVersion: '10.0.1935.52' }] });
    const [sent] = emu.requests().slice(before);
    expect(`${sent!.method} ${sent!.url}`).toMatch(/^POST .*\/data\/DataManagementDefinitionGroups\/Microsoft\.Dynamics\.DataEntities\.GetApplicationBuildVersion$/);
    expect((await conn.query("EXEC GetApplicationBuildVersion 'DataManagementDefinitionGroups'")).rows).toEqual(result.rows);
    expect((await conn.query("EXEC GetApplicationBuildVersion @Target = 'DataManagementDefinitionGroups'")).rows).toEqual(result.rows);
    await expect(conn.query("EXEC GetApplicationBuildVersion 'CustomersV3'")).rejects.toMatchObject({ code: 'DYNASQL_ERR_PARAMETER' });
  });

  it('listed in sys_procedures; an action is refused in FROM; conn.action answers the JSON value', async () => {
    const rows = (await conn.query("SELECT procedure_type, is_bound, binding_is_collection, return_type FROM sys_procedures WHERE procedure_name = 'GetApplicationBuildVersion'")).rows;
    expect(rows).toEqual([{ procedure_type: 'ACTION', is_bound: true, binding_is_collection: true, return_type: 'Edm.String' }]);
    await expect(conn.query('SELECT * FROM GetApplicationBuildVersion()')).rejects.toMatchObject({ code: 'DYNASQL_ERR_UNSUPPORTED_SQL' });
    expect(await conn.action('GetApplicationBuildVersion')).toEqual({ value: '10.0.1935.52' });
  });
});
