/** Reading the vocabulary terms dynasql uses from a CSDL annotation map. */
import type { AnnotationValue, Annotations } from './csdl.js';

export const CORE = 'Org.OData.Core.V1.';
export const CAPABILITIES = 'Org.OData.Capabilities.V1.';
export const KEYS = 'OData.Community.Keys.V1.';

export function boolTerm(annotations: Annotations, term: string): boolean | undefined {
  const value = annotations.get(term);
  return typeof value === 'boolean' ? value : undefined;
}

export function stringTerm(annotations: Annotations, term: string): string | undefined {
  const value = annotations.get(term);
  return typeof value === 'string' ? value : undefined;
}

/** `{Countable: true}` record property of a term (`CountRestrictions/Countable`). */
export function recordBool(annotations: Annotations, term: string, property: string): boolean | undefined {
  const value = recordOf(annotations.get(term))?.[property];
  return typeof value === 'boolean' ? value : undefined;
}

export function recordOf(value: AnnotationValue | undefined): { [property: string]: AnnotationValue } | undefined {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? value : undefined;
}

export function stringList(value: AnnotationValue | undefined): string[] {
  if (Array.isArray(value)) return value.filter((item): item is string => typeof item === 'string');
  return typeof value === 'string' ? [value] : [];
}

/** Core.Description, or undefined when absent or empty (Dataverse emits many `String=""`). */
export function descriptionOf(annotations: Annotations): string | undefined {
  const text = stringTerm(annotations, `${CORE}Description`);
  return text ? text : undefined;
}

/** `Permissions = PermissionType/Read` (read, not ReadWrite) or `Computed`: the service sets the value. */
export function isServiceSet(annotations: Annotations): boolean {
  if (annotations.size === 0) return false;
  if (boolTerm(annotations, `${CORE}Computed`) === true) return true;
  const permissions = stringList(annotations.get(`${CORE}Permissions`));
  return permissions.length > 0 && permissions.every((p) => p.endsWith('/Read') || p === 'Read');
}

export function isImmutable(annotations: Annotations): boolean {
  return boolTerm(annotations, `${CORE}Immutable`) === true;
}
