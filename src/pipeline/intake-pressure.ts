import { performance, type EventLoopUtilization } from "node:perf_hooks";

/**
 * Whether webhooks are arriving faster than the process can serve them and run jobs at once.
 * The job runner then steps back to one job at a time, so the intake keeps the CPU: GitHub
 * waits 10 s for an answer and does not retry on its own, while a job that waits is only late
 * (it is stored; it runs when the burst is over). Pressure is high when, over the last window,
 * the event loop was busy at least `threshold` of the time and deliveries kept coming.
 */
export interface IntakePressure {
  /** The runner asks before claiming jobs. */
  readonly high: () => boolean;
  /** The inbox tells of every delivery it stores. */
  noteDelivery(): void;
  /** Closes the current window (called every `windowMs` by `start`; tests call it directly). */
  sample(): void;
  start(): void;
  stop(): void;
}

export interface IntakePressureOptions {
  readonly windowMs?: number;
  /** Event-loop utilization (0–1) over a window above which the loop is saturated. */
  readonly threshold?: number;
  /** Deliveries within a window below which a busy loop is the runner's own work. */
  readonly minDeliveries?: number;
  readonly utilization?: (previous?: EventLoopUtilization) => EventLoopUtilization;
}

export function createIntakePressure(o: IntakePressureOptions = {}): IntakePressure {
  const windowMs = o.windowMs ?? 100;
  const threshold = o.threshold ?? 0.85;
  const minDeliveries = o.minDeliveries ?? 5;
  const utilization = o.utilization ?? ((previous) => performance.eventLoopUtilization(previous));
  let last = utilization();
  let deliveries = 0;
  let high = false;
  let timer: NodeJS.Timeout | undefined;
  const sample = () => {
    const window = utilization(last);
    last = utilization();
    high = window.utilization >= threshold && deliveries >= minDeliveries;
    deliveries = 0;
  };
  return {
    high: () => high,
    noteDelivery: () => void deliveries++,
    sample,
    start() {
      timer ??= setInterval(sample, windowMs);
      timer.unref();
    },
    stop() {
      clearInterval(timer);
      timer = undefined;
      high = false;
    },
  };
}
