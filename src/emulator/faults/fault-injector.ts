import { FaultPlanner, type FaultKind } from './fault-planner.js';
import { validateFaultOptions, type FaultOptions } from './fault-options.js';

/**
 * The run's current fault configuration: the planner for the options in force, replaced whole by
 * `PUT /_emulator/faults` (which restarts the seeded sequence, so a test can replay it).
 */
export class FaultInjector {
  private planner: FaultPlanner;

  constructor(options: FaultOptions | undefined) {
    this.planner = new FaultPlanner(validateFaultOptions(options ?? {}));
  }

  get options(): FaultOptions {
    return this.planner.options;
  }

  plan(isWrite: boolean) {
    return this.planner.plan(isWrite);
  }

  /** Replaces the options; throws (leaving the old ones in force) when they are not valid. */
  configure(input: unknown): void {
    this.planner = new FaultPlanner(validateFaultOptions(input));
  }

  /** What `GET /_emulator/faults` shows: the options in force and what they did so far. */
  state(): { options: FaultOptions; requests: number; injected: Record<FaultKind, number>; total: number } {
    return { options: this.planner.options, requests: this.planner.requestsPlanned, injected: { ...this.planner.injected }, total: this.planner.totalInjected() };
  }
}
