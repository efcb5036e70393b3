import type { ODataResponse } from '../state.js';
import { withExactNumbers } from './exact-decimals.js';

export const JSON_TYPE = 'application/json; odata.metadata=minimal';

export function jsonResponse(status: number, body: unknown, headers: Record<string, string> = {}): ODataResponse {
  return { status, headers: { 'Content-Type': JSON_TYPE, 'OData-Version': '4.0', ...headers }, body: withExactNumbers(JSON.stringify(body)) };
}

/** a JSON body already written as text (http/row-json.ts) */
export function jsonTextResponse(status: number, text: string, headers: Record<string, string> = {}): ODataResponse {
  return { status, headers: { 'Content-Type': JSON_TYPE, 'OData-Version': '4.0', ...headers }, body: text };
}

export function emptyResponse(status: number, headers: Record<string, string> = {}): ODataResponse {
  return { status, headers: { 'OData-Version': '4.0', ...headers } };
}
