/**
 * An independent reading of an EDMX file with regular expressions, for the tests to count the
 * fixture's elements without going through the parser under test.
 */
export interface RegexEntityType {
  name: string;
  baseType?: string;
  key: string[];
  properties: { name: string; type: string }[];
  navigations: { name: string; type: string }[];
}

export interface RegexOperation {
  kind: 'action' | 'function';
  name: string;
  bound: boolean;
  parameters: string[];
  returnType?: string;
}

const attr = (text: string, name: string) => new RegExp(`\\b${name}="([^"]*)"`).exec(text)?.[1];

export function readEntityTypes(xml: string): RegexEntityType[] {
  const types: RegexEntityType[] = [];
  const re = /<EntityType\b([^>]*?)(\/>|>([\s\S]*?)<\/EntityType>)/g;
  for (const m of xml.matchAll(re)) {
    const head = m[1]!;
    const body = m[3] ?? '';
    const base = attr(head, 'BaseType');
    types.push({
      name: attr(head, 'Name')!,
      ...(base ? { baseType: base.replace(/^mscrm\./, '') } : {}),
      key: [...(/<Key>([\s\S]*?)<\/Key>/.exec(body)?.[1] ?? '').matchAll(/PropertyRef Name="([^"]*)"/g)].map((k) => k[1]!),
      properties: [...body.matchAll(/<Property Name="([^"]*)" Type="([^"]*)"/g)].map((p) => ({ name: p[1]!, type: p[2]! })),
      navigations: [...body.matchAll(/<NavigationProperty Name="([^"]*)" Type="([^"]*)"/g)].map((p) => ({ name: p[1]!, type: p[2]! })),
    });
  }
  return types;
}

export function readEntitySets(xml: string): { name: string; entityType: string }[] {
  return [...xml.matchAll(/<EntitySet Name="([^"]*)" EntityType="([^"]*)"/g)].map((m) => ({ name: m[1]!, entityType: m[2]! }));
}

export function readOperations(xml: string): RegexOperation[] {
  const operations: RegexOperation[] = [];
  for (const m of xml.matchAll(/<(Action|Function)\b([^>]*?)(\/>|>([\s\S]*?)<\/\1>)/g)) {
    const body = m[4] ?? '';
    const returnType = /<ReturnType Type="([^"]*)"/.exec(body)?.[1];
    operations.push({
      kind: m[1] === 'Action' ? 'action' : 'function',
      name: attr(m[2]!, 'Name')!,
      bound: attr(m[2]!, 'IsBound') === 'true',
      parameters: [...body.matchAll(/<Parameter Name="([^"]*)"/g)].map((p) => p[1]!),
      ...(returnType ? { returnType } : {}),
    });
  }
  return operations;
}

export function readImports(xml: string): { kind: 'action' | 'function'; name: string; target: string }[] {
  return [...xml.matchAll(/<(ActionImport|FunctionImport) Name="([^"]*)" (?:Action|Function)="([^"]*)"/g)].map((m) => ({
    kind: m[1] === 'ActionImport' ? 'action' : 'function',
    name: m[2]!,
    target: m[3]!,
  }));
}

/** The type and its base types, leaf first. */
export function lineage(types: Map<string, RegexEntityType>, name: string): RegexEntityType[] {
  const chain: RegexEntityType[] = [];
  for (let t = types.get(name); t; t = t.baseType ? types.get(t.baseType) : undefined) chain.push(t);
  return chain;
}
