import type { IncomingMessage, ServerResponse } from 'node:http';

/**
 * One request as it travels through the emulator's middleware chain (auth, throttling, faults from
 * issue 3) to the OData router. `rawUrl` is the URL exactly as received, still percent-encoded.
 */
export interface EmulatorRequestContext {
  req: IncomingMessage;
  res: ServerResponse;
  rawUrl: string;
  method: string;
  receivedAt: number;
  /** Set by an auth middleware to the caller's systemuserid; WhoAmI and EqualUserId use it. */
  user?: string;
  /** Shared counters, served by GET /_emulator/stats; middleware adds its own (e.g. `throttled`). */
  stats: Record<string, number>;
  /** The request body, already read by the server (the stream is consumed before the chain runs). */
  body?: string;
}

/** Runs around the rest of the chain; call `next()` to continue, or answer `ctx.res` to stop. */
export type Middleware = (ctx: EmulatorRequestContext, next: () => Promise<void>) => Promise<void>;
