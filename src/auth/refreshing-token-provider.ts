import { DynasqlError } from '../errors/index.js';
import type { TokenProvider } from '../http/index.js';
import { systemClock, type Clock } from '../util/index.js';

export interface AcquiredToken {
  token: string;
  /** ms since the epoch; unknown expiry means "valid until a 401 says otherwise" */
  expiresOnMs?: number;
}

export type AcquireToken = (request: { forceRefresh: boolean; signal?: AbortSignal }) => Promise<AcquiredToken>;

/** Tokens are renewed this long before they expire, so no request leaves with one about to lapse. */
export const REFRESH_MARGIN_MS = 5 * 60 * 1000;
/** A forced refresh that finished this recently serves the other 401s of the same burst. */
const FORCED_REFRESH_REUSE_MS = 5_000;

/**
 * Holds the current token and renews it before expiry and once on a 401. Concurrent callers share one
 * acquisition: fifty requests that start together (or fail with 401 together) cause a single token call.
 */
export class RefreshingTokenProvider implements TokenProvider {
  private current: AcquiredToken | undefined;
  private pending: Promise<AcquiredToken> | undefined;
  private lastForcedAt = -Infinity;
  /** token calls made, for tests and diagnostics */
  acquisitions = 0;

  constructor(private readonly acquire: AcquireToken, private readonly clock: Clock = systemClock) {}

  async getToken(options: { forceRefresh?: boolean; signal?: AbortSignal } = {}): Promise<string> {
    const now = this.clock.now();
    if (options.forceRefresh) {
      if (this.pending) return (await this.pending).token;
      if (this.current && now - this.lastForcedAt < FORCED_REFRESH_REUSE_MS) return this.current.token;
      this.lastForcedAt = now;
      return (await this.start(true, options.signal)).token;
    }
    if (this.current && (this.current.expiresOnMs === undefined || this.current.expiresOnMs - REFRESH_MARGIN_MS > now)) return this.current.token;
    if (this.pending) return (await this.pending).token;
    return (await this.start(false, options.signal)).token;
  }

  private start(forceRefresh: boolean, signal?: AbortSignal): Promise<AcquiredToken> {
    this.acquisitions++;
    const pending = this.acquire({ forceRefresh, ...(signal ? { signal } : {}) })
      .then((token) => {
        if (!token.token) throw new DynasqlError('DYNASQL_ERR_AUTH', 'The identity provider returned no access token.');
        this.current = token;
        return token;
      })
      .finally(() => {
        if (this.pending === pending) this.pending = undefined;
      });
    this.pending = pending;
    return pending;
  }
}
