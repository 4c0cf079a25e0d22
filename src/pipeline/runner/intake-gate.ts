export interface IntakeGateOptions {
  readonly concurrency: number;
  /** While true the intake has the CPU (see intake-pressure.ts): a quarter of `concurrency` runs, at least one. */
  readonly yieldToIntake?: () => boolean;
  /** A due job waiting longer than this ends the yielding until it has run (default 10 s). */
  readonly maxYieldMs?: number;
  readonly now: () => number;
}

/** How many jobs may run at once: fewer while the intake needs the CPU, but never so few that jobs starve. */
export interface IntakeGate {
  limit(): number;
  /** After each look at the queue: when the next job is due or lease expires (undefined: none). */
  observe(nextWakeAt: number | undefined): void;
}

export function createIntakeGate(o: IntakeGateOptions): IntakeGate {
  const maxYieldMs = o.maxYieldMs ?? 10_000;
  const yielding = Math.max(1, Math.floor(o.concurrency / 4));
  /** A due job has waited longer than maxYieldMs (seen by the last look at the queue). */
  let overdue = false;
  return {
    limit: () => (o.yieldToIntake?.() && !overdue ? yielding : o.concurrency),
    observe(next) {
      overdue = next !== undefined && o.now() - next > maxYieldMs;
    },
  };
}
