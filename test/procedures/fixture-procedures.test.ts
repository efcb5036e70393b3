/**
 * Against the real v8.1 metadata: every ActionImport / FunctionImport (and every bound operation)
 * appears in sys_procedures, with its parameters in sys_procedureparameters. The XML is read here
 * with regular expressions, independently of the parser under test.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { catalogView, parseEdmx, systemTable, type Catalog, type SystemRow } from '../../src/catalog/index.js';
import { BUILTIN_PROCEDURES, withBuiltinProcedures } from '../../src/procedures/index.js';

const FIXTURE = resolve(import.meta.dirname, '../fixtures/edmx/dataverse-v8.1-2016-DynamicsCRM.xml');

interface XmlOperation { kind: 'ACTION' | 'FUNCTION'; name: string; bound: boolean; parameters: string[]; bindingType?: string }

function readXml(xml: string) {
  const operations: XmlOperation[] = [];
  for (const m of xml.matchAll(/<(Action|Function)\s+Name="([^"]+)"([^>]*?)(\/>|>([\s\S]*?)<\/\1>)/g)) {
    const parameters = [...(m[5] ?? '').matchAll(/<Parameter\s+Name="([^"]+)"\s+Type="([^"]+)"/g)];
    const bound = /IsBound="true"/.test(m[3]!);
    operations.push({
      kind: m[1] === 'Action' ? 'ACTION' : 'FUNCTION', name: m[2]!, bound, parameters: parameters.map((p) => p[1]!),
      ...(bound ? { bindingType: parameters[0]![2]!.replace(/^Collection\((.*)\)$/, '$1').replace(/^mscrm\./, 'Microsoft.Dynamics.CRM.') } : {}),
    });
  }
  const imports = [...xml.matchAll(/<(ActionImport|FunctionImport)\s+Name="([^"]+)"\s+(?:Action|Function)="([^"]+)"/g)]
    .map((m) => ({ kind: m[1] === 'ActionImport' ? 'ACTION' : 'FUNCTION', name: m[2]!, operation: m[3]!.split('.').pop()! }));
  return { operations, imports };
}

let xml: ReturnType<typeof readXml>;
let procedures: SystemRow[];
let parameters: SystemRow[];
let view: Catalog;

beforeAll(() => {
  const text = readFileSync(FIXTURE, 'utf8');
  xml = readXml(text);
  view = withBuiltinProcedures(catalogView(parseEdmx(text, { edition: 'dataverse' }), { useDynamicStoredProcedures: true }));
  procedures = systemTable(view, 'sys_procedures')!.rows;
  parameters = systemTable(view, 'sys_procedureparameters')!.rows;
});

describe('v8.1 fixture in sys_procedures', () => {
  it('has the counts the XML has', () => {
    expect(xml.imports.length).toBe(129);
    expect(xml.imports.filter((i) => i.kind === 'ACTION').length).toBe(79);
    expect(xml.operations.length).toBe(305);
  });

  it('lists every action and function import, with each of its parameters in order', () => {
    for (const imported of xml.imports) {
      const operation = xml.operations.find((o) => o.name === imported.operation && !o.bound)!;
      expect(operation, imported.name).toBeDefined();
      const row = procedures.find((p) => p.import_name === imported.name);
      expect(row, imported.name).toMatchObject({ procedure_type: imported.kind, is_bound: false, parameter_count: operation.parameters.length });
      const declared = parameters.filter((p) => p.procedure_name === row!.procedure_name && p.is_result === false);
      expect(declared.map((p) => p.parameter_name), imported.name).toEqual(operation.parameters);
      expect(declared.every((p) => p.direction === 'IN' && typeof p.data_type === 'string')).toBe(true);
    }
  });

  it('lists every bound operation with its binding parameter first', () => {
    const bound = xml.operations.filter((o) => o.bound);
    expect(bound.length).toBeGreaterThan(0);
    for (const operation of bound) {
      const row = procedures.find((p) => p.procedure_name === operation.name && p.is_bound === true && p.binding_type === operation.bindingType);
      expect(row, `${operation.name} on ${operation.bindingType}`).toMatchObject({ procedure_type: operation.kind, parameter_count: operation.parameters.length });
    }
  });

  it('holds nothing else: built-ins + imports + bound operations; query functions (no import) are not procedures', () => {
    const queryFunctions = xml.operations.filter((o) => o.kind === 'FUNCTION' && !o.bound && !xml.imports.some((i) => i.operation === o.name));
    expect(queryFunctions.length).toBeGreaterThan(0);
    expect(procedures.length).toBe(BUILTIN_PROCEDURES.length + xml.imports.length + xml.operations.filter((o) => o.bound).length);
    for (const q of queryFunctions) expect(procedures.some((p) => p.procedure_name === q.name && p.is_bound === false), q.name).toBe(false);
  });

  it('results are OUT rows at position 0; the built-ins are listed with their parameters', () => {
    const whoAmI = parameters.filter((p) => p.procedure_name === 'WhoAmI');
    expect(whoAmI).toEqual([expect.objectContaining({ direction: 'OUT', ordinal_position: 0, edm_type: 'Microsoft.Dynamics.CRM.WhoAmIResponse', is_result: true })]);
    const associate = parameters.filter((p) => p.procedure_name === 'Associate').map((p) => `${p.parameter_name} ${p.data_type} ${p.is_nullable ? 'NULL' : 'NOT NULL'}`);
    expect(associate).toEqual(['Table nvarchar NOT NULL', 'Id nvarchar NOT NULL', 'Relationship nvarchar NOT NULL', 'RelatedId nvarchar NOT NULL', 'RelatedTable nvarchar NULL']);
  });
});
