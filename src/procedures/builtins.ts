/**
 * Procedures dynasql itself provides, present whether or not Use Dynamic Stored Procedures is on:
 *
 *   EXEC RefreshMetadata                                    -- reload $metadata, bypassing every cache
 *   EXEC GetOAuthAccessToken                                -- the sign-in URL (+ code verifier, state)
 *   EXEC GetOAuthAccessToken @AuthCode = '…', @CodeVerifier = '…'   -- the tokens
 *   EXEC Associate @Table = 'account', @Id = '…', @Relationship = 'contact_customer_accounts', @RelatedId = '…'
 *   EXEC Disassociate …same parameters…
 *
 * They are described as catalog `Procedure`s (qualified name `dynasql.<Name>`) so sys_procedures and
 * sys_procedureparameters list them beside the service's actions and functions.
 */
import { sqlTypeOfPrimitive } from '../catalog/index.js';
import type { Catalog, Procedure, ProcedureParameter } from '../catalog/types.js';

export const BUILTIN_NAMESPACE = 'dynasql';

export type BuiltinName = 'RefreshMetadata' | 'GetOAuthAccessToken' | 'Associate' | 'Disassociate';

function parameter(name: string, edmType: string, nullable: boolean): ProcedureParameter {
  return { name, edmType, isCollection: false, nullable, isBinding: false, sqlType: sqlTypeOfPrimitive(edmType)! };
}

function builtin(name: BuiltinName, parameters: ProcedureParameter[]): Procedure {
  return {
    name, qualifiedName: `${BUILTIN_NAMESPACE}.${name}`, kind: 'action', bound: false, isComposable: false,
    parameters, isQueryFunction: false,
  };
}

const relationshipParameters = () => [
  parameter('Table', 'Edm.String', false),
  parameter('Id', 'Edm.String', false),
  parameter('Relationship', 'Edm.String', false),
  parameter('RelatedId', 'Edm.String', false),
  parameter('RelatedTable', 'Edm.String', true),
];

export const BUILTIN_PROCEDURES: readonly Procedure[] = Object.freeze([
  builtin('RefreshMetadata', []),
  builtin('GetOAuthAccessToken', [
    parameter('AuthCode', 'Edm.String', true),
    parameter('CodeVerifier', 'Edm.String', true),
    parameter('RedirectUri', 'Edm.String', true),
    parameter('State', 'Edm.String', true),
  ]),
  builtin('Associate', relationshipParameters()),
  builtin('Disassociate', relationshipParameters()),
]);

export function builtinName(procedure: Procedure): BuiltinName | undefined {
  return procedure.qualifiedName.startsWith(`${BUILTIN_NAMESPACE}.`) ? (procedure.name as BuiltinName) : undefined;
}

const withBuiltins = new WeakMap<Catalog, Catalog>();

/** the catalog users see plus the built-ins (first, so a service operation of the same name cannot hide them) */
export function withBuiltinProcedures(catalog: Catalog): Catalog {
  let result = withBuiltins.get(catalog);
  if (!result) {
    result = { ...catalog, procedures: [...BUILTIN_PROCEDURES, ...catalog.procedures] };
    withBuiltins.set(catalog, result);
  }
  return result;
}
