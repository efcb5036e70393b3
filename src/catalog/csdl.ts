/**
 * Reads an EDMX element tree into a typed CSDL model: schemas, entity/complex/enum types, operations,
 * the entity container, and annotations (inline and `<Annotations Target>`). Names are qualified with
 * the schema namespace and aliases are resolved (`mscrm.account` → `Microsoft.Dynamics.CRM.account`),
 * and annotation terms are normalised to their full vocabulary namespace (`Core.Description` →
 * `Org.OData.Core.V1.Description`). No Dynamics knowledge lives here: that is in build-*.ts.
 */
import { DynasqlError } from '../errors/index.js';
import { type XmlNode, childrenNamed, firstChild } from './xml-tree.js';

/** An annotation's value: `Bool="true"` → true, `<Collection><String>` → string[], `<Record>` → object. */
export type AnnotationValue = string | number | boolean | null | AnnotationValue[] | { [property: string]: AnnotationValue };

/** term (full namespace) → value */
export type Annotations = Map<string, AnnotationValue>;

export interface CsdlProperty {
  name: string;
  /** qualified type, `Collection(...)` kept */
  type: string;
  nullable: boolean;
  maxLength?: number | 'max';
  precision?: number;
  scale?: number | 'variable';
  annotations: Annotations;
}

export interface CsdlNavigation {
  name: string;
  /** qualified element type (without `Collection(...)`) */
  type: string;
  isCollection: boolean;
  nullable: boolean;
  partner?: string;
  constraints: { property: string; referencedProperty: string }[];
}

export interface CsdlStructuredType {
  name: string;
  qualifiedName: string;
  baseType?: string;
  isAbstract: boolean;
  /** declared key (own, not inherited) */
  key?: string[];
  properties: CsdlProperty[];
  navigations: CsdlNavigation[];
  annotations: Annotations;
}

export interface CsdlEnumType {
  name: string;
  qualifiedName: string;
  isFlags: boolean;
  members: { name: string; value: number; annotations: Annotations }[];
}

export interface CsdlParameter {
  name: string;
  type: string;
  nullable: boolean;
}

export interface CsdlOperation {
  kind: 'action' | 'function';
  name: string;
  qualifiedName: string;
  isBound: boolean;
  isComposable: boolean;
  parameters: CsdlParameter[];
  returnType?: { type: string; nullable: boolean };
}

export interface CsdlEntitySet {
  name: string;
  entityType: string;
  navigationBindings: { path: string; target: string }[];
  annotations: Annotations;
}

export interface CsdlContainer {
  name: string;
  qualifiedName: string;
  entitySets: CsdlEntitySet[];
  /** operation qualified name → import name */
  actionImports: Map<string, string>;
  functionImports: Map<string, string>;
  annotations: Annotations;
}

export interface CsdlDocument {
  /** namespace of the schema holding the entity container (else the first schema) */
  namespace: string;
  alias?: string;
  entityTypes: Map<string, CsdlStructuredType>;
  complexTypes: Map<string, CsdlStructuredType>;
  enumTypes: Map<string, CsdlEnumType>;
  /** TypeDefinition qualified name → underlying primitive type */
  typeDefinitions: Map<string, string>;
  operations: CsdlOperation[];
  container?: CsdlContainer;
  warnings: string[];
}

/** Vocabulary namespaces and their usual aliases, so `Core.Description` and the full term both resolve. */
const WELL_KNOWN_ALIASES: Record<string, string> = {
  Core: 'Org.OData.Core.V1',
  Capabilities: 'Org.OData.Capabilities.V1',
  Measures: 'Org.OData.Measures.V1',
  Validation: 'Org.OData.Validation.V1',
  Keys: 'OData.Community.Keys.V1',
  Display: 'OData.Community.Display.V1',
};

class NameResolver {
  private readonly aliases = new Map<string, string>(Object.entries(WELL_KNOWN_ALIASES));

  addAlias(alias: string | undefined, namespace: string): void {
    if (alias) this.aliases.set(alias, namespace);
  }

  /** `mscrm.account` → `Microsoft.Dynamics.CRM.account`; `Collection(mscrm.x)` keeps its wrapper. */
  qualify(name: string): string {
    if (name.startsWith('Collection(') && name.endsWith(')')) return `Collection(${this.qualify(name.slice(11, -1))})`;
    const dot = name.lastIndexOf('.');
    if (dot < 0) return name;
    const prefix = name.slice(0, dot);
    const namespace = this.aliases.get(prefix);
    return namespace ? `${namespace}${name.slice(dot)}` : name;
  }
}

function parseBool(value: string | undefined, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  return value === 'true' || value === '1';
}

function parseInteger(value: string | undefined): number | undefined {
  if (value === undefined || !/^-?\d+$/.test(value.trim())) return undefined;
  return Number(value);
}

/** Reads an expression element (`<String>`, `<Record>`, `<Collection>` ...) into a value. */
function expressionValue(node: XmlNode, names: NameResolver): AnnotationValue {
  switch (node.tag) {
    case 'Bool':
      return node.text === 'true';
    case 'Int':
    case 'Decimal':
    case 'Float':
      return Number(node.text);
    case 'Null':
      return null;
    case 'Collection':
      return node.children.map((child) => expressionValue(child, names));
    case 'Record':
      return recordValue(node, names);
    case 'EnumMember':
      return names.qualify(node.text.trim());
    default:
      return node.text;
  }
}

function recordValue(node: XmlNode, names: NameResolver): { [property: string]: AnnotationValue } {
  const record: { [property: string]: AnnotationValue } = {};
  for (const value of childrenNamed(node, 'PropertyValue')) {
    const property = value.attrs.Property;
    if (property) record[property] = inlineOrNestedValue(value, names);
  }
  return record;
}

const INLINE_EXPRESSIONS = ['Bool', 'String', 'Int', 'Decimal', 'Float', 'EnumMember', 'Path', 'PropertyPath', 'NavigationPropertyPath', 'AnnotationPath', 'Date', 'DateTimeOffset', 'Guid'];

/** `<Annotation Term="x" Bool="true"/>` or `<Annotation Term="x"><Record>...</Record></Annotation>`. */
function inlineOrNestedValue(node: XmlNode, names: NameResolver): AnnotationValue {
  for (const attr of INLINE_EXPRESSIONS) {
    const raw = node.attrs[attr];
    if (raw === undefined) continue;
    if (attr === 'Bool') return raw === 'true';
    if (attr === 'Int' || attr === 'Decimal' || attr === 'Float') return Number(raw);
    if (attr === 'EnumMember') return names.qualify(raw.trim());
    return raw;
  }
  const nested = node.children.filter((child) => child.tag !== 'Annotation');
  if (nested.length === 1) return expressionValue(nested[0]!, names);
  if (nested.length > 1) return nested.map((child) => expressionValue(child, names));
  // An annotation with no value means `true` for boolean terms (CSDL default value of Core.Tag terms).
  return true;
}

/** Qualified annotations (`Qualifier="phone"`) are variants for other clients: ignored. */
function addAnnotation(annotation: XmlNode, names: NameResolver, into: Annotations): void {
  const term = annotation.attrs.Term;
  if (!term || annotation.attrs.Qualifier) return;
  into.set(names.qualify(term), inlineOrNestedValue(annotation, names));
}

function readAnnotations(node: XmlNode, names: NameResolver, into: Annotations = new Map()): Annotations {
  for (const child of node.children) if (child.tag === 'Annotation') addAnnotation(child, names, into);
  return into;
}

function readProperty(node: XmlNode, names: NameResolver): CsdlProperty {
  const maxLength = node.attrs.MaxLength;
  const scale = node.attrs.Scale;
  const property: CsdlProperty = {
    name: node.attrs.Name ?? '',
    type: names.qualify(node.attrs.Type ?? ''),
    nullable: parseBool(node.attrs.Nullable, true),
    annotations: node.children.length ? readAnnotations(node, names) : new Map(),
  };
  if (maxLength !== undefined) {
    const length = maxLength.toLowerCase() === 'max' ? 'max' : parseInteger(maxLength);
    if (length !== undefined) property.maxLength = length;
  }
  const precision = parseInteger(node.attrs.Precision);
  if (precision !== undefined) property.precision = precision;
  if (scale !== undefined) {
    const value = scale.toLowerCase() === 'variable' || scale.toLowerCase() === 'floating' ? 'variable' : parseInteger(scale);
    if (value !== undefined) property.scale = value;
  }
  return property;
}

function readNavigation(node: XmlNode, names: NameResolver): CsdlNavigation {
  const rawType = names.qualify(node.attrs.Type ?? '');
  const isCollection = rawType.startsWith('Collection(');
  const navigation: CsdlNavigation = {
    name: node.attrs.Name ?? '',
    type: isCollection ? rawType.slice(11, -1) : rawType,
    isCollection,
    nullable: parseBool(node.attrs.Nullable, true),
    constraints: childrenNamed(node, 'ReferentialConstraint').map((constraint) => ({
      property: constraint.attrs.Property ?? '',
      referencedProperty: constraint.attrs.ReferencedProperty ?? '',
    })),
  };
  if (node.attrs.Partner) navigation.partner = node.attrs.Partner;
  return navigation;
}

function readStructuredType(node: XmlNode, namespace: string, names: NameResolver): CsdlStructuredType {
  const name = node.attrs.Name ?? '';
  const type: CsdlStructuredType = {
    name,
    qualifiedName: `${namespace}.${name}`,
    isAbstract: parseBool(node.attrs.Abstract, false),
    properties: [],
    navigations: [],
    annotations: new Map(),
  };
  if (node.attrs.BaseType) type.baseType = names.qualify(node.attrs.BaseType);
  for (const child of node.children) {
    if (child.tag === 'Property') type.properties.push(readProperty(child, names));
    else if (child.tag === 'NavigationProperty') type.navigations.push(readNavigation(child, names));
    else if (child.tag === 'Key') type.key = childrenNamed(child, 'PropertyRef').map((ref) => ref.attrs.Name ?? '');
    else if (child.tag === 'Annotation') addAnnotation(child, names, type.annotations);
  }
  return type;
}

function readEnumType(node: XmlNode, namespace: string, names: NameResolver): CsdlEnumType {
  const name = node.attrs.Name ?? '';
  let next = 0;
  const members = childrenNamed(node, 'Member').map((member) => {
    const value = parseInteger(member.attrs.Value) ?? next;
    next = value + 1;
    return { name: member.attrs.Name ?? '', value, annotations: readAnnotations(member, names) };
  });
  return { name, qualifiedName: `${namespace}.${name}`, isFlags: parseBool(node.attrs.IsFlags, false), members };
}

function readOperation(node: XmlNode, namespace: string, names: NameResolver): CsdlOperation {
  const name = node.attrs.Name ?? '';
  const returnNode = firstChild(node, 'ReturnType');
  const operation: CsdlOperation = {
    kind: node.tag === 'Action' ? 'action' : 'function',
    name,
    qualifiedName: `${namespace}.${name}`,
    isBound: parseBool(node.attrs.IsBound, false),
    isComposable: parseBool(node.attrs.IsComposable, false),
    parameters: childrenNamed(node, 'Parameter').map((parameter) => ({
      name: parameter.attrs.Name ?? '',
      type: names.qualify(parameter.attrs.Type ?? ''),
      nullable: parseBool(parameter.attrs.Nullable, true),
    })),
  };
  if (returnNode) operation.returnType = { type: names.qualify(returnNode.attrs.Type ?? ''), nullable: parseBool(returnNode.attrs.Nullable, true) };
  return operation;
}

function readContainer(node: XmlNode, namespace: string, names: NameResolver): CsdlContainer {
  const name = node.attrs.Name ?? '';
  const container: CsdlContainer = {
    name,
    qualifiedName: `${namespace}.${name}`,
    entitySets: [],
    actionImports: new Map(),
    functionImports: new Map(),
    annotations: new Map(),
  };
  for (const child of node.children) {
    switch (child.tag) {
      case 'EntitySet':
        container.entitySets.push({
          name: child.attrs.Name ?? '',
          entityType: names.qualify(child.attrs.EntityType ?? ''),
          navigationBindings: childrenNamed(child, 'NavigationPropertyBinding').map((binding) => ({
            path: binding.attrs.Path ?? '',
            target: binding.attrs.Target ?? '',
          })),
          annotations: readAnnotations(child, names),
        });
        break;
      case 'ActionImport':
        if (child.attrs.Action) container.actionImports.set(names.qualify(child.attrs.Action), child.attrs.Name ?? '');
        break;
      case 'FunctionImport':
        if (child.attrs.Function) container.functionImports.set(names.qualify(child.attrs.Function), child.attrs.Name ?? '');
        break;
      case 'Annotation':
        addAnnotation(child, names, container.annotations);
        break;
    }
  }
  return container;
}

/**
 * Applies `<Annotations Target="ns.Type/Property">` blocks (the out-of-line form some services
 * use) to the elements they target. Targets it cannot resolve are reported, not fatal.
 */
function applyExternalAnnotations(blocks: { target: string; node: XmlNode }[], document: CsdlDocument, names: NameResolver): void {
  for (const { target, node } of blocks) {
    const qualified = names.qualify(target.split('/')[0]!);
    const member = target.split('/')[1];
    let into: Annotations | undefined;
    const structured = document.entityTypes.get(qualified) ?? document.complexTypes.get(qualified);
    if (structured) {
      into = member === undefined ? structured.annotations : structured.properties.find((p) => p.name === member)?.annotations;
    } else if (document.container && qualified === document.container.qualifiedName) {
      into = member === undefined ? document.container.annotations : document.container.entitySets.find((s) => s.name === member)?.annotations;
    }
    if (into) readAnnotations(node, names, into);
    else document.warnings.push(`Annotations for unknown target '${target}' ignored`);
  }
}

/** Reads the `<edmx:Edmx>` root into a CsdlDocument; throws DYNASQL_ERR_METADATA when it is not EDMX. */
export function readCsdl(root: XmlNode): CsdlDocument {
  if (root.tag !== 'Edmx') {
    throw new DynasqlError('DYNASQL_ERR_METADATA', `$metadata is not an EDMX document: the root element is <${root.tag}>, expected <edmx:Edmx>`);
  }
  const dataServices = firstChild(root, 'DataServices');
  const schemaNodes = dataServices ? childrenNamed(dataServices, 'Schema') : [];
  if (schemaNodes.length === 0) throw new DynasqlError('DYNASQL_ERR_METADATA', '$metadata has no <edmx:DataServices><Schema>: nothing to read');

  const names = new NameResolver();
  for (const reference of childrenNamed(root, 'Reference')) {
    for (const include of childrenNamed(reference, 'Include')) if (include.attrs.Namespace) names.addAlias(include.attrs.Alias, include.attrs.Namespace);
  }
  for (const schema of schemaNodes) names.addAlias(schema.attrs.Alias, schema.attrs.Namespace ?? '');

  const document: CsdlDocument = {
    namespace: '',
    entityTypes: new Map(),
    complexTypes: new Map(),
    enumTypes: new Map(),
    typeDefinitions: new Map(),
    operations: [],
    warnings: [],
  };
  const external: { target: string; node: XmlNode }[] = [];
  const addUnique = <T extends { qualifiedName: string }>(map: Map<string, T>, value: T, what: string): void => {
    if (map.has(value.qualifiedName)) document.warnings.push(`Duplicate ${what} '${value.qualifiedName}' skipped`);
    else map.set(value.qualifiedName, value);
  };

  for (const schema of schemaNodes) {
    const namespace = schema.attrs.Namespace;
    if (!namespace) throw new DynasqlError('DYNASQL_ERR_METADATA', '$metadata has a <Schema> without a Namespace');
    for (const child of schema.children) {
      switch (child.tag) {
        case 'EntityType':
          addUnique(document.entityTypes, readStructuredType(child, namespace, names), 'entity type');
          break;
        case 'ComplexType':
          addUnique(document.complexTypes, readStructuredType(child, namespace, names), 'complex type');
          break;
        case 'EnumType':
          addUnique(document.enumTypes, readEnumType(child, namespace, names), 'enum type');
          break;
        case 'TypeDefinition':
          if (child.attrs.Name && child.attrs.UnderlyingType) document.typeDefinitions.set(`${namespace}.${child.attrs.Name}`, names.qualify(child.attrs.UnderlyingType));
          break;
        case 'Action':
        case 'Function':
          document.operations.push(readOperation(child, namespace, names));
          break;
        case 'EntityContainer':
          if (document.container) document.warnings.push(`Second entity container '${child.attrs.Name}' ignored`);
          else {
            document.container = readContainer(child, namespace, names);
            document.namespace = namespace;
            if (schema.attrs.Alias) document.alias = schema.attrs.Alias;
          }
          break;
        case 'Annotations':
          if (child.attrs.Target) external.push({ target: child.attrs.Target, node: child });
          break;
      }
    }
  }
  if (!document.namespace) {
    document.namespace = schemaNodes[0]!.attrs.Namespace!;
    if (schemaNodes[0]!.attrs.Alias) document.alias = schemaNodes[0]!.attrs.Alias;
  }
  applyExternalAnnotations(external, document, names);
  return document;
}
