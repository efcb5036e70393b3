import type { EmulatorState, ODataRequest, ODataResponse } from '../state.js';
export function handleBatch(_state: EmulatorState, _req: ODataRequest, _handle: (s: EmulatorState, r: ODataRequest) => ODataResponse): ODataResponse {
  return { status: 501, headers: {}, body: '' };
}
