import { setTimeout as sleep } from 'node:timers/promises';
import type { EmulatorRequestContext, Middleware } from '../context.js';
import type { FaultInjector } from './fault-injector.js';
import { holdResponse } from './response-tamper.js';

const WRITE_METHODS = new Set(['POST', 'PATCH', 'PUT', 'DELETE']);

/** Counts an injected fault in the shared stats (`faultsInjected` and `faults.<kind>`). */
function count(ctx: EmulatorRequestContext, kind: string): void {
  ctx.stats.faultsInjected = (ctx.stats.faultsInjected ?? 0) + 1;
  ctx.stats[`faults.${kind}`] = (ctx.stats[`faults.${kind}`] ?? 0) + 1;
}

function sendJson(ctx: EmulatorRequestContext, status: number, headers: Record<string, string>, body: unknown): void {
  const text = JSON.stringify(body);
  ctx.res.writeHead(status, { 'content-type': 'application/json; odata.metadata=minimal', 'content-length': String(Buffer.byteLength(text)), ...headers });
  ctx.res.end(text);
}

/** requests whose latency is over, waiting to be answered one per turn of the event loop */
const waiting: (() => void)[] = [];

/**
 * Waits for this request's turn. Requests sent together end their latency together, and answered in
 * one go (a page of 5,000 rows is ~40 ms of work) they kept the event loop from reading anything else
 * meanwhile: requests sent after the first answer arrived waited for the last one before their own
 * latency began, which no service with capacity to spare does. One answer per turn lets the loop read
 * new requests (and start their latency) between answers.
 */
function takeTurn(): Promise<void> {
  return new Promise((resolve) => {
    waiting.push(resolve);
    if (waiting.length === 1) setImmediate(answerNext);
  });
}

function answerNext(): void {
  waiting.shift()?.();
  // an immediate queued while immediates run waits for the loop's next turn: new requests are read first
  if (waiting.length > 0) setImmediate(answerNext);
}

/**
 * Injects the planned fault of each request (see FaultPlanner): waits the planned latency, then
 * answers 429 or 5xx itself, resets the connection, or lets the router answer and tampers with the
 * body on the way out (cut short, sent slowly, or dropped after a committed write).
 */
export function faultMiddleware(injector: FaultInjector, edition: string): Middleware {
  const finops = edition === 'finops';
  return async (ctx, next) => {
    const isWrite = WRITE_METHODS.has(ctx.method);
    const plan = injector.plan(isWrite);
    if (plan.delayMs > 0) {
      await sleep(plan.delayMs);
      await takeTurn();
    }
    const options = injector.options;
    if (plan.fault) count(ctx, plan.fault);
    switch (plan.fault) {
      case undefined:
        return next();
      case 'throttle':
        ctx.stats.throttled = (ctx.stats.throttled ?? 0) + 1;
        return sendJson(ctx, 429, { 'retry-after': String(options.throttleRetryAfterSeconds ?? 1) }, {
          // F&O bursts stand for its resource-based throttling (a busy environment), Dataverse's for the request limit.
          error: finops
            ? { code: '', message: 'This request could not be processed at this time due to system experiencing high resource utilization.' }
            : { code: '0x80072322', message: 'Number of requests exceeded the limit of 6000 over time window of 300 seconds.' },
        });
      case 'server-error': {
        const status = options.serverErrorStatus ?? 503;
        return sendJson(ctx, status, {}, finops
          ? { error: { code: '', message: 'An error has occurred.' } }
          : { error: { code: '0x80040216', message: 'An unexpected error occurred.' } });
      }
      case 'reset-before':
        ctx.req.socket.destroy();
        return;
      case 'reset-after-write':
        // The write is carried out and committed; only the answer is lost.
        holdResponse(ctx.res, () => ctx.req.socket.destroy());
        return next();
      case 'truncate':
        holdResponse(ctx.res, (body, send) => {
          if (!ctx.res.headersSent) ctx.res.setHeader('content-length', String(body.length));
          const half = body.subarray(0, Math.floor(body.length / 2));
          send.write(half, () => ctx.req.socket.destroy());
        });
        return next();
      case 'slow-body': {
        const pause = options.slowBodyChunkDelayMs ?? 50;
        const size = options.slowBodyChunkBytes ?? 256;
        holdResponse(ctx.res, (body, send) => {
          void (async () => {
            for (let at = 0; at < body.length && !ctx.res.destroyed; at += size) {
              send.write(body.subarray(at, at + size));
              if (at + size < body.length) await sleep(pause);
            }
            send.end();
          })();
        });
        return next();
      }
    }
  };
}
