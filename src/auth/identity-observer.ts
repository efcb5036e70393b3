/**
 * What the identity provider's transport saw during one sign-in attempt. msal-node folds every
 * discovery failure into one code (`endpoints_resolution_error`, "See https://aka.ms/msal.js.errors…")
 * that hides whether the tenant does not exist, the host is unreachable or its certificate is not
 * trusted; the network client records the underlying failure here so the error can name the cause.
 *
 *   observer.transportFailure  // { host: 'login.microsoftonline.com', code: 'ECONNREFUSED' }
 *   observer.errorReply        // { host, status: 400, error: 'invalid_tenant', aadsts: 90002, description: "Tenant 'x' not found." }
 */
export interface IdentityErrorReply {
  host: string;
  status: number;
  error?: string;
  /** the first AADSTS number of `error_codes` or of the description */
  aadsts?: number;
  description?: string;
}

export class IdentityObserver {
  transportFailure: { host: string; code: string } | undefined;
  errorReply: IdentityErrorReply | undefined;

  /** forget the previous attempt: called when a sign-in starts */
  reset(): void {
    this.transportFailure = undefined;
    this.errorReply = undefined;
  }

  recordTransportFailure(url: string, error: unknown): void {
    const code = transportCode(error);
    this.transportFailure = { host: hostOf(url), code };
  }

  recordReply(url: string, status: number, body: unknown): void {
    if (status < 400) return;
    const fields = (body && typeof body === 'object' ? body : {}) as { error?: unknown; error_codes?: unknown; error_description?: unknown };
    const description = typeof fields.error_description === 'string' ? fields.error_description : undefined;
    const listed = Array.isArray(fields.error_codes) && typeof fields.error_codes[0] === 'number' ? fields.error_codes[0] : undefined;
    const inText = description ? /AADSTS(\d+)/.exec(description)?.[1] : undefined;
    const aadsts = listed ?? (inText ? Number(inText) : undefined);
    this.errorReply = {
      host: hostOf(url),
      status,
      ...(typeof fields.error === 'string' ? { error: fields.error } : {}),
      ...(aadsts !== undefined ? { aadsts } : {}),
      ...(description ? { description: firstSentences(description) } : {}),
    };
  }
}

/** Node's and undici's codes sit on the error or on its cause (`fetch failed` → cause ECONNREFUSED). */
export function transportCode(error: unknown): string {
  for (let e: unknown = error, depth = 0; e && depth < 4; e = (e as { cause?: unknown }).cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && code !== '') return code;
  }
  return (error as Error)?.name === 'TimeoutError' ? 'TimeoutError' : 'unknown';
}

function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return '(unknown host)';
  }
}

/** Entra descriptions run on with "Trace ID: … Correlation ID: … Timestamp: …"; keep the part that explains. */
function firstSentences(description: string): string {
  const cut = description.split(/\r?\n|\s(?:Trace ID|Correlation ID|Timestamp):/)[0]!;
  return cut.slice(0, 300).trim();
}
