import type { Clock } from '../util/index.js';
import { budgetPrefix } from './budget-namespace.js';
import { RedisBudgetStore } from './redis-budget-store.js';
import type { RequestBudget } from './request-budget.js';
import { abortError, type AdaptiveThrottle, type Permit, type ThrottleSignal, type ThrottleState } from './throttle.js';

export interface SharedBudgetSettings {
  /** the `Throttle Store` setting: `redis://host:6379/0` */
  url: string;
  serviceRoot: string;
  /** who the requests are sent as (budget-namespace.ts `tokenIdentity`), asked once, at the first request */
  identity: () => Promise<string>;
  clock: Clock;
  log: (level: 1 | 2, message: string) => void;
}

/** what a permit holds of the shared budget */
interface Share {
  grant: number;
  store: RedisBudgetStore;
  startedAt: number;
  refused: boolean;
  remaining: string | undefined;
}

/**
 * This process's throttle plus one budget shared in Redis by every process calling the same org as
 * the same user (`Throttle Store=redis://…`). A request goes when both allow it: the local throttle
 * (this process's Max Concurrency, and what it learned from the service's 429s) and then the shared
 * request window, execution-time window, concurrency slots and pause. A 429 seen by any process
 * pauses all of them, and the limit it names is kept by all of them.
 *
 * Redis unreachable, at the start or later: the local throttle alone paces requests, one warning is
 * logged, and no statement fails for it; when Redis is back, sharing resumes.
 */
export class SharedBudget implements RequestBudget {
  private store: Promise<RedisBudgetStore | undefined> | undefined;
  private readonly shares = new Map<number, Share>();
  private outage = false;

  constructor(private readonly local: AdaptiveThrottle, private readonly settings: SharedBudgetSettings) {}

  async acquire(signal?: AbortSignal): Promise<Permit> {
    const permit = await this.local.acquire(signal);
    let share: Share | undefined;
    try {
      const store = await this.openStore();
      const grant = await store?.acquire(signal);
      if (store && grant !== undefined) share = { grant, store, startedAt: performance.now(), refused: false, remaining: undefined };
    } catch (error) {
      permit();
      throw signal?.aborted ? abortError(signal) : error;
    }
    if (share) this.shares.set(permit.seq, share);
    let released = false;
    return Object.assign(() => {
      if (released) return;
      released = true;
      permit();
      if (!share) return;
      this.shares.delete(permit.seq);
      if (!share.refused) share.store.finish(share.grant, performance.now() - share.startedAt, share.remaining);
    }, { sentAt: permit.sentAt, seq: permit.seq });
  }

  onThrottled(signal: ThrottleSignal, permit?: Permit): 'paused' | 'alone' {
    const share = permit ? this.shares.get(permit.seq) : undefined;
    if (share && !share.refused) {
      share.refused = true;
      share.store.refused(share.grant, signal);
    }
    return this.local.onThrottled(signal, permit);
  }

  onSuccess(headers?: Record<string, string>, permit?: Permit): void {
    const share = permit ? this.shares.get(permit.seq) : undefined;
    if (share) share.remaining = headers?.['x-ms-ratelimit-burst-remaining-xrm-requests'];
    this.local.onSuccess(headers, permit);
  }

  state(): ThrottleState {
    return this.local.state();
  }

  heldBackMs(): number {
    return this.local.heldBackMs();
  }

  async close(): Promise<void> {
    const store = await this.store?.catch(() => undefined);
    await store?.close();
  }

  /** connects at the first request, when the identity is known; a store that cannot be set up at all (not a Redis URL) is not tried again */
  private openStore(): Promise<RedisBudgetStore | undefined> {
    this.store ??= (async () => {
      let identity: string;
      try {
        identity = await this.settings.identity();
      } catch {
        // no token now (the request itself will say why): share from a later request on
        this.store = undefined;
        return undefined;
      }
      try {
        return await RedisBudgetStore.open(this.settings.url, budgetPrefix(this.settings.serviceRoot, identity), this.settings.clock, (up, reason) => this.availability(up, reason));
      } catch (error) {
        this.availability(false, error instanceof Error ? error.name : 'error');
        return undefined;
      }
    })();
    return this.store;
  }

  /** one warning per outage, however many requests meet it */
  private availability(up: boolean, reason: string): void {
    const where = storeAddress(this.settings.url);
    if (!up && !this.outage) {
      this.outage = true;
      this.settings.log(1, `warning: Throttle Store ${where} is unreachable (${reason}); this process keeps to its own request budget until it is back. Statements go on.`);
    } else if (up && this.outage) {
      this.outage = false;
      this.settings.log(2, `Throttle Store ${where} is back: the request budget is shared again.`);
    }
  }
}

/** `redis://user:secret@cache:6379/0` → `redis://cache:6379/0`: the store's address without its credentials */
export function storeAddress(url: string): string {
  const parsed = new URL(url);
  return `${parsed.protocol}//${parsed.host}${parsed.pathname === '/' ? '' : parsed.pathname}`;
}
