/**
 * A procedure call (name + arguments) → the one HTTP request that runs the action or function, built
 * and checked without sending anything: unknown procedures and parameters, missing required ones and
 * values of the wrong type fail here, each error naming the parameter.
 *
 *   EXEC WhoAmI                                    → GET  WhoAmI()
 *   EXEC WinOpportunity @Status = 3, @OpportunityClose = '{…}'
 *                                                  → POST WinOpportunity  {"Status":3,"OpportunityClose":{…}}
 *   EXEC QualifyLead 'leads(<id>)', 1, 1, 0, 3     → POST leads(<id>)/Microsoft.Dynamics.CRM.QualifyLead  {…}
 *   SELECT * FROM RetrieveTotalRecordCount('["account"]')
 *                                                  → GET  RetrieveTotalRecordCount(EntityNames=@p1)?@p1=["account"]
 *
 * Bound operations take their target as the first argument (`@Target`, or the binding parameter's own
 * name): `'accounts(<id>)'`, a key of the bound table, or, for a collection-bound one, the entity set
 * (optional). Their URL uses the qualified name, as the service requires (protocol §7).
 */
import { indexCatalog, type CatalogIndex } from '../catalog/index.js';
import type { Catalog, Procedure, ProcedureParameter, Table } from '../catalog/types.js';
import { DynasqlError, closestName } from '../errors/index.js';
import { encodeQueryOptionValue, type JsonValue } from '../odata/index.js';
import { builtinName } from './builtins.js';
import { ValueConverter, parameterError } from './convert-value.js';
import { recordPath } from './entity-reference.js';
import { jsonText } from './json-text.js';

export interface CallArgument {
  /** the parameter name without `@`; absent for a positional argument */
  name?: string;
  value: unknown;
  /** `DEFAULT`: leave the parameter out */
  isDefault?: boolean;
}

export interface OperationRequest {
  method: 'GET' | 'POST';
  /** relative to the service root */
  url: string;
  body?: string;
  procedure: Procedure;
}

/** the name users call a binding parameter by, whatever the metadata names it (`entity`, `entityset`) */
export const TARGET_PARAMETER = 'Target';

/** `dbo.WhoAmI`, `[WhoAmI]` → `WhoAmI` */
export function procedureName(name: string): string {
  const parts = name.split('.');
  return parts.length === 2 && /^dbo$/i.test(parts[0]!) ? parts[1]! : name;
}

/** the procedures of that name, built-ins included; unknown names get a "did you mean" */
export function findProcedures(catalog: Catalog, name: string): Procedure[] {
  const index = indexCatalog(catalog);
  const found = index.procedures(procedureName(name));
  if (found.length > 0) return found;
  const guess = closestName(procedureName(name), catalog.procedures.map((p) => p.name));
  throw new DynasqlError('DYNASQL_ERR_UNKNOWN_PROCEDURE', `Unknown procedure '${name}'.${guess ? ` Did you mean '${guess}'?` : ''}`);
}

export interface MatchedCall {
  procedure: Procedure;
  /** for bound operations: where the operation is applied (`leads(<id>)`, `DataManagementDefinitionGroups`) */
  target?: string;
  /** declared parameters given a value (in declaration order), DEFAULT and omitted ones left out */
  values: { parameter: ProcedureParameter; value: unknown }[];
}

/** arguments → declared parameters; picks the overload whose binding fits the target */
export function matchArguments(catalog: Catalog, name: string, args: readonly CallArgument[]): MatchedCall {
  const index = indexCatalog(catalog);
  const candidates = findProcedures(catalog, name);
  const targetArg = (procedure: Procedure): CallArgument | undefined => {
    if (!procedure.bound) return undefined;
    // `@Target` names the binding target unless the operation has a parameter of that name
    // (AddToQueue, RetrievePrincipalAccess): then only the binding parameter's own name does
    const names = [procedure.parameters[0]!.name.toLowerCase()];
    if (!procedure.parameters.some((p) => !p.isBinding && p.name.toLowerCase() === TARGET_PARAMETER.toLowerCase())) names.push(TARGET_PARAMETER.toLowerCase());
    return args.find((a) => a.name !== undefined && names.includes(a.name.toLowerCase()))
      ?? (args[0] && args[0].name === undefined ? args[0] : undefined);
  };
  const procedure = candidates.length === 1 ? candidates[0]! : chooseOverload(index, name, candidates, targetArg);
  const target = targetArg(procedure);
  const rest = args.filter((a) => a !== target);
  const declared = procedure.parameters.filter((p) => !p.isBinding);
  const given = new Map<ProcedureParameter, CallArgument>();
  let position = 0;
  for (const arg of rest) {
    let parameter: ProcedureParameter | undefined;
    if (arg.name === undefined) {
      parameter = declared[position++];
      if (!parameter) throw new DynasqlError('DYNASQL_ERR_PARAMETER', `Procedure '${procedure.name}' takes ${declared.length} parameter(s)${procedure.bound ? ' after its target' : ''}; ${rest.length} were given`);
    } else {
      parameter = declared.find((p) => p.name.toLowerCase() === arg.name!.toLowerCase());
      if (!parameter) {
        const guess = closestName(arg.name, declared.map((p) => p.name));
        const list = declared.length > 0 ? `its parameters: ${declared.map((p) => `@${p.name}`).join(', ')}` : 'it takes none';
        throw parameterError(arg.name, `procedure '${procedure.name}' has no such parameter (${list}).${guess ? ` Did you mean '@${guess}'?` : ''}`);
      }
    }
    if (given.has(parameter)) throw parameterError(parameter.name, 'given twice');
    given.set(parameter, arg);
  }
  const values: MatchedCall['values'] = [];
  for (const parameter of declared) {
    const arg = given.get(parameter);
    if (!arg || arg.isDefault) {
      if (!parameter.nullable) throw parameterError(parameter.name, `required by '${procedure.name}' (${parameter.isCollection ? `Collection(${parameter.edmType})` : parameter.edmType})`);
      continue;
    }
    if ((arg.value === null || arg.value === undefined) && !parameter.nullable) throw parameterError(parameter.name, `cannot be NULL in '${procedure.name}'`);
    values.push({ parameter, value: arg.value });
  }
  return { procedure, ...(procedure.bound ? { target: targetPath(index, procedure, target) } : {}), values };
}

/**
 * Several operations of one name differ by binding: RetrievePrincipalAccess is bound to systemuser
 * and to team, so `'teams(<id>)'` as the target picks the team form; a bare id cannot choose.
 */
function chooseOverload(index: CatalogIndex, name: string, candidates: Procedure[], targetArg: (p: Procedure) => CallArgument | undefined): Procedure {
  const fitting = candidates.filter((procedure) => {
    if (!procedure.bound) return false;
    const arg = targetArg(procedure);
    if (!arg || typeof arg.value !== 'string') return procedure.bindingIsCollection === true;
    const set = /^\s*([A-Za-z_][A-Za-z0-9_]*)\s*(\(|$)/.exec(arg.value);
    const table = set ? index.table(set[1]!) : undefined;
    return table !== undefined && table.entityType === procedure.bindingType;
  });
  if (fitting.length >= 1) return fitting[0]!;
  // no bound form fits the first argument: the unbound form, if there is one
  const unbound = candidates.find((p) => !p.bound);
  if (unbound) return unbound;
  const bindings = candidates.map((p) => (p.bound ? p.bindingType : 'unbound')).join(', ');
  throw new DynasqlError('DYNASQL_ERR_PARAMETER', `Procedure '${name}' has ${candidates.length} forms (${bindings}); give @${TARGET_PARAMETER} as '<entityset>(<id>)' to choose one`);
}

function bindingTable(index: CatalogIndex, procedure: Procedure): Table | undefined {
  return procedure.bindingType ? index.tableOfEntityType(procedure.bindingType) : undefined;
}

function targetPath(index: CatalogIndex, procedure: Procedure, arg: CallArgument | undefined): string {
  const declared = bindingTable(index, procedure);
  const value = arg && !arg.isDefault ? arg.value : undefined;
  if (procedure.bindingIsCollection) {
    if (value === undefined || value === null) {
      if (!declared) throw parameterError(TARGET_PARAMETER, `'${procedure.name}' is bound to ${procedure.bindingType}, which no entity set exposes`);
      return declared.entitySetName;
    }
    const table = typeof value === 'string' ? index.table(value.trim()) : undefined;
    if (!table || (declared && table !== declared)) throw parameterError(TARGET_PARAMETER, `expected the entity set '${procedure.name}' is bound to (${declared?.entitySetName ?? procedure.bindingType}), got ${JSON.stringify(value)}`);
    return table.entitySetName;
  }
  if (value === undefined || value === null) throw parameterError(TARGET_PARAMETER, `required: '${procedure.name}' is bound to one ${declared?.name ?? procedure.bindingType} record (give '${declared?.entitySetName ?? '<entityset>'}(<id>)' or its id)`);
  if (typeof value !== 'string') throw parameterError(TARGET_PARAMETER, `expected a record such as '${declared?.entitySetName ?? 'accounts'}(<id>)' or an id`);
  const record = recordPath(index, TARGET_PARAMETER, value, declared);
  const abstract = !declared;
  if (!abstract && record.table.entityType !== procedure.bindingType) {
    throw parameterError(TARGET_PARAMETER, `'${procedure.name}' applies to ${declared.name} records, not ${record.table.name}`);
  }
  return record.path;
}

/** the request for a matched call */
export function lowerMatchedCall(catalog: Catalog, call: MatchedCall): OperationRequest {
  const { procedure } = call;
  if (builtinName(procedure)) throw new DynasqlError('DYNASQL_ERR_INTERNAL', `'${procedure.name}' is run by the connection, not sent to the service`);
  const converter = new ValueConverter(indexCatalog(catalog));
  const path = call.target !== undefined ? `${call.target}/${procedure.qualifiedName}` : (procedure.importName ?? procedure.name);
  if (procedure.kind === 'function') {
    // parameter aliases, the documented form (DateTimeOffset does not work inline): F(A=@p1)?@p1=…
    const names = call.values.map((v, i) => `${v.parameter.name}=@p${i + 1}`);
    const aliases = call.values.map((v, i) => `@p${i + 1}=${encodeQueryOptionValue(converter.toAliasText(v.parameter, v.value))}`);
    return { method: 'GET', url: `${path}(${names.join(',')})${aliases.length > 0 ? `?${aliases.join('&')}` : ''}`, procedure };
  }
  const body: Record<string, JsonValue> = {};
  for (const { parameter, value } of call.values) body[parameter.name] = converter.toJson(parameter, value);
  return { method: 'POST', url: path, body: jsonText(body), procedure };
}

export function lowerCall(catalog: Catalog, name: string, args: readonly CallArgument[]): OperationRequest {
  return lowerMatchedCall(catalog, matchArguments(catalog, name, args));
}
