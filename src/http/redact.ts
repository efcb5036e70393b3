/**
 * The one redaction function every log line and every error text passes through.
 * It masks what is secret by shape (Authorization / Cookie headers, bearer tokens, JWTs, PEM private
 * keys, `client_secret=` and friends in form bodies and URLs, `"access_token":"..."` in JSON) and what
 * is secret by value (the client secret, tokens, passwords from the settings, in plain and URL-encoded form).
 *
 *   const redact = createRedactor(['s3cr3t']);
 *   redact('client_id=app&client_secret=s3cr3t') // → 'client_id=app&client_secret=***'
 */
export type Redactor = (text: string) => string;

export const MASK = '***';

/** header names whose values are always masked */
export const SECRET_HEADERS = new Set(['authorization', 'proxy-authorization', 'cookie', 'set-cookie', 'x-ms-client-secret', 'ocp-apim-subscription-key']);

const FORM_KEYS = [
  'client_secret',
  'client_assertion',
  'refresh_token',
  'access_token',
  'id_token',
  'code',
  'code_verifier',
  'password',
  'assertion',
  'device_code',
  'token',
];

const SHAPES: Array<[RegExp, string | ((...m: string[]) => string)]> = [
  // PEM private keys (any kind)
  [/-----BEGIN ([A-Z ]*)PRIVATE KEY-----[\s\S]*?-----END \1PRIVATE KEY-----/g, `-----PRIVATE KEY ${MASK}-----`],
  // Authorization / Cookie header lines as printed by the logger (`authorization: Bearer ...`)
  [/\b(authorization|proxy-authorization|cookie|set-cookie)(\s*[:=]\s*)([^\r\n]*)/gi, (_m, name, sep) => `${name}${sep}${MASK}`],
  // `Bearer xyz` or `Basic xyz` anywhere
  [/\b(Bearer|Basic)\s+[A-Za-z0-9\-._~+/]+=*/g, (_m, kind) => `${kind} ${MASK}`],
  // JSON members: "access_token":"...", "refresh_token": "...", "client_secret":"..."
  [
    new RegExp(`"(${FORM_KEYS.join('|')}|accessToken|refreshToken|clientSecret|secret|privateKey|certificatePassword)"\\s*:\\s*"(?:[^"\\\\]|\\\\.)*"`, 'gi'),
    (_m, key) => `"${key}":"${MASK}"`,
  ],
  // form bodies and query strings: client_secret=...&code=...
  [new RegExp(`(^|[?&\\s;,])(${FORM_KEYS.join('|')})=([^&\\s;,"]*)`, 'gi'), (_m, pre, key) => `${pre}${key}=${MASK}`],
  // bare JWTs (header.payload.signature, both first parts base64url JSON)
  [/\beyJ[A-Za-z0-9_-]{4,}\.eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*/g, MASK],
];

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Builds the redactor for one connection; `secrets` are the literal secret values from its settings. */
export function createRedactor(secrets: readonly string[] = []): Redactor {
  const literal = [...new Set(secrets.filter((s) => s.length >= 4).flatMap((s) => variantsOf(s)))]
    .sort((a, b) => b.length - a.length)
    .map(escapeRegExp);
  const byValue = literal.length > 0 ? new RegExp(literal.join('|'), 'g') : undefined;
  return (text: string) => {
    let out = text;
    if (byValue) out = out.replace(byValue, MASK);
    for (const [pattern, replacement] of SHAPES) {
      out = out.replace(pattern, replacement as string);
    }
    return out;
  };
}

/** a secret as it may appear in a URL, a form body or a JSON string */
function variantsOf(secret: string): string[] {
  const variants = [secret, encodeURIComponent(secret), new URLSearchParams({ x: secret }).toString().slice(2), JSON.stringify(secret).slice(1, -1)];
  // a PEM's base64 lines may be logged one at a time: mask each long line of it too
  if (secret.includes('-----BEGIN')) {
    for (const line of secret.split(/\r?\n/)) if (line.length >= 16 && !line.startsWith('-----')) variants.push(line.trim());
  }
  return variants;
}

/** Headers as log text, one `name: value` per line, secret headers masked. */
export function headersForLog(headers: Record<string, string | string[] | undefined>): string {
  return Object.entries(headers)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${k}: ${SECRET_HEADERS.has(k.toLowerCase()) ? MASK : Array.isArray(v) ? v.join(', ') : v}`)
    .join('\n');
}
