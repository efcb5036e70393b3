import { DynasqlError } from '../errors/index.js';

/**
 * One signal for everything a statement sends: the caller's cancellation plus the Statement Timeout.
 * Pass `scope.signal` as every request's `signal`; a timeout then aborts queued and in-flight requests
 * alike, and the executor reports it as DYNASQL_ERR_TIMEOUT (cancellation as DYNASQL_ERR_CANCELLED).
 *
 *   const scope = statementScope({ statementTimeoutMs: 30_000 }, userSignal);
 *   try { ... executor.send({ ..., signal: scope.signal }) ... } finally { scope.dispose(); }
 */
export function statementScope(settings: { statementTimeoutMs: number }, signal?: AbortSignal): { signal: AbortSignal; dispose(): void } {
  const controller = new AbortController();
  const onAbort = () => controller.abort(signal!.reason ?? new DynasqlError('DYNASQL_ERR_CANCELLED', 'The statement was cancelled.'));
  if (signal?.aborted) onAbort();
  else signal?.addEventListener('abort', onAbort, { once: true });
  let timer: NodeJS.Timeout | undefined;
  if (settings.statementTimeoutMs > 0) {
    timer = setTimeout(
      () => controller.abort(new DynasqlError('DYNASQL_ERR_TIMEOUT', `The statement ran longer than the Statement Timeout (${settings.statementTimeoutMs / 1000} s).`)),
      settings.statementTimeoutMs,
    );
    timer.unref();
  }
  return {
    signal: controller.signal,
    dispose() {
      if (timer) clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
    },
  };
}
