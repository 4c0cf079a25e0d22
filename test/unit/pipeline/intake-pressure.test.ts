import type { EventLoopUtilization } from "node:perf_hooks";
import { createIntakePressure } from "../../../src/pipeline/intake-pressure.js";

/** A fake event-loop clock: each window's utilization is what the test says it was. */
function fakeLoop() {
  let active = 0;
  let idle = 0;
  return {
    spend(utilization: number, ms = 100) {
      active += utilization * ms;
      idle += (1 - utilization) * ms;
    },
    utilization(previous?: EventLoopUtilization): EventLoopUtilization {
      const a = active - (previous?.active ?? 0);
      const i = idle - (previous?.idle ?? 0);
      return { active: previous ? a : active, idle: previous ? i : idle, utilization: a + i > 0 ? a / (a + i) : 0 };
    },
  };
}

describe("intake pressure", () => {
  it("is high only in a window where the loop was saturated and deliveries kept coming", () => {
    const loop = fakeLoop();
    const p = createIntakePressure({ threshold: 0.85, minDeliveries: 5, utilization: (prev) => loop.utilization(prev) });
    expect(p.high()).toBe(false);

    // Busy loop, a burst of deliveries: the intake needs the CPU.
    loop.spend(0.95);
    for (let i = 0; i < 40; i++) p.noteDelivery();
    p.sample();
    expect(p.high()).toBe(true);

    // Busy loop, but hardly any deliveries: the runner's own work (a backlog draining).
    loop.spend(0.99);
    p.noteDelivery();
    p.sample();
    expect(p.high()).toBe(false);

    // Many deliveries on a loop with room to spare: jobs keep their full concurrency.
    loop.spend(0.5);
    for (let i = 0; i < 40; i++) p.noteDelivery();
    p.sample();
    expect(p.high()).toBe(false);

    // Counts do not carry over: each window stands alone.
    loop.spend(0.9);
    for (let i = 0; i < 40; i++) p.noteDelivery();
    p.sample();
    expect(p.high()).toBe(true);
    loop.spend(0.9);
    p.sample();
    expect(p.high()).toBe(false);
  });

  it("is never high once stopped", () => {
    const loop = fakeLoop();
    const p = createIntakePressure({ utilization: (prev) => loop.utilization(prev) });
    loop.spend(1);
    for (let i = 0; i < 10; i++) p.noteDelivery();
    p.sample();
    expect(p.high()).toBe(true);
    p.stop();
    expect(p.high()).toBe(false);
  });

  it("samples the real event loop on its own once started", async () => {
    const p = createIntakePressure({ windowMs: 20, threshold: 0.5, minDeliveries: 1 });
    p.start();
    try {
      // Keep the loop busy for a few windows while deliveries arrive.
      const until = Date.now() + 150;
      let seen = false;
      while (Date.now() < until && !seen) {
        p.noteDelivery();
        const spin = Date.now() + 15;
        while (Date.now() < spin);
        await new Promise((r) => setImmediate(r));
        seen = p.high();
      }
      expect(seen).toBe(true);
    } finally {
      p.stop();
    }
  });
});
