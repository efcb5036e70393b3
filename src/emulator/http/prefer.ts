/**
 * The `Prefer` header as the service reads it, e.g.
 * `odata.include-annotations="*",odata.maxpagesize=10,return=representation`.
 */
export interface Preferences {
  maxPageSize?: number;
  includeAnnotations?: string[];
  returnRepresentation: boolean;
  continueOnError: boolean;
  /** `odata.track-changes`: a delta link on the last page (http/track-changes.ts) */
  trackChanges: boolean;
}

export function parsePrefer(header: string | string[] | undefined): Preferences {
  const text = Array.isArray(header) ? header.join(',') : header ?? '';
  const result: Preferences = { returnRepresentation: false, continueOnError: false, trackChanges: false };
  // Split on commas outside quotes: include-annotations lists are quoted and comma-separated.
  const parts = text.match(/(?:[^,"]|"[^"]*")+/g) ?? [];
  for (const raw of parts) {
    const part = raw.trim();
    const [name, ...rest] = part.split('=');
    const value = rest.join('=').trim().replace(/^"|"$/g, '');
    switch (name!.trim().toLowerCase()) {
      case 'odata.maxpagesize': {
        const n = Number(value);
        if (Number.isInteger(n) && n > 0) result.maxPageSize = n;
        break;
      }
      case 'odata.include-annotations':
        result.includeAnnotations = value.split(',').map((s) => s.trim()).filter(Boolean);
        break;
      case 'return':
        result.returnRepresentation = value === 'representation';
        break;
      case 'odata.continue-on-error':
        result.continueOnError = true;
        break;
      case 'odata.track-changes':
        result.trackChanges = true;
        break;
      default:
        break;
    }
  }
  return result;
}

/** Whether annotation `term` (e.g. `OData.Community.Display.V1.FormattedValue`) was asked for. */
export function wantsAnnotation(prefs: Preferences, term: string): boolean {
  const list = prefs.includeAnnotations;
  if (!list) return false;
  return list.some((pattern) => {
    if (pattern.startsWith('-')) return false;
    if (pattern === '*' || pattern === term) return true;
    return pattern.endsWith('.*') && term.startsWith(pattern.slice(0, -1));
  });
}
