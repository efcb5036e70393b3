/**
 * Actions and functions → procedures. Every operation is kept (the catalog view decides whether
 * users see them: Use Dynamic Stored Procedures). Dataverse query functions (`In`, `LastXDays`,
 * `EqualUserId` ...) are recognised by shape: an unbound Function without a FunctionImport that
 * returns Edm.Boolean and takes a `PropertyName` parameter; they are usable only inside `$filter`.
 */
import type { CsdlDocument, CsdlOperation } from './csdl.js';
import type { TypeSystem } from './type-system.js';
import { JSON_TEXT } from './sql-types.js';
import type { Procedure, ProcedureParameter } from './types.js';

function unwrap(type: string): { type: string; isCollection: boolean } {
  return type.startsWith('Collection(') && type.endsWith(')') ? { type: type.slice(11, -1), isCollection: true } : { type, isCollection: false };
}

export function buildProcedures(document: CsdlDocument, types: TypeSystem, warn: (message: string) => void): Procedure[] {
  const container = document.container;
  return document.operations.map((operation) => {
    const parameters = operation.parameters.map((parameter, index): ProcedureParameter => {
      const { type, isCollection } = unwrap(parameter.type);
      const resolved = types.resolve(parameter.type);
      if (!resolved) warn(`Parameter '${parameter.name}' of '${operation.qualifiedName}' has unknown type '${parameter.type}'; typed as text`);
      return {
        name: parameter.name,
        edmType: type,
        isCollection,
        nullable: parameter.nullable,
        isBinding: operation.isBound && index === 0,
        sqlType: resolved?.sqlType ?? { ...JSON_TEXT },
      };
    });
    const procedure: Procedure = {
      name: operation.name,
      qualifiedName: operation.qualifiedName,
      kind: operation.kind,
      bound: operation.isBound,
      isComposable: operation.isComposable,
      parameters,
      isQueryFunction: isQueryFunction(operation, container?.functionImports.has(operation.qualifiedName) ?? false),
    };
    if (operation.isBound && parameters[0]) {
      procedure.bindingType = parameters[0].edmType;
      procedure.bindingIsCollection = parameters[0].isCollection;
    }
    if (operation.returnType) {
      const { type, isCollection } = unwrap(operation.returnType.type);
      if (!types.resolve(operation.returnType.type)) warn(`Return type '${operation.returnType.type}' of '${operation.qualifiedName}' is unknown`);
      procedure.returnType = { edmType: type, isCollection, nullable: operation.returnType.nullable };
    }
    if (!operation.isBound) {
      const importName = (operation.kind === 'action' ? container?.actionImports : container?.functionImports)?.get(operation.qualifiedName);
      if (importName) procedure.importName = importName;
    }
    return procedure;
  });
}

function isQueryFunction(operation: CsdlOperation, hasImport: boolean): boolean {
  return (
    operation.kind === 'function' &&
    !operation.isBound &&
    !hasImport &&
    operation.returnType?.type === 'Edm.Boolean' &&
    operation.parameters.some((p) => p.name === 'PropertyName')
  );
}
