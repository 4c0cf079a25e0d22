import { createIntakeGate } from "../../../../src/pipeline/runner/intake-gate.js";

const NOW = 1_000_000;

describe("intake gate", () => {
  it.each([
    { name: "full concurrency when nobody asks to yield", concurrency: 8, yieldToIntake: undefined, want: 8 },
    { name: "full concurrency while the intake is idle", concurrency: 8, yieldToIntake: false, want: 8 },
    { name: "a quarter of concurrency while the intake has the CPU", concurrency: 8, yieldToIntake: true, want: 2 },
    { name: "rounded down", concurrency: 7, yieldToIntake: true, want: 1 },
    { name: "at least one, so jobs always move", concurrency: 2, yieldToIntake: true, want: 1 },
    { name: "one stays one", concurrency: 1, yieldToIntake: true, want: 1 },
  ])("$name", ({ concurrency, yieldToIntake, want }) => {
    const gate = createIntakeGate({ concurrency, now: () => NOW, ...(yieldToIntake === undefined ? {} : { yieldToIntake: () => yieldToIntake }) });
    expect(gate.limit()).toBe(want);
  });

  it.each([
    { name: "nothing due: keeps yielding", next: undefined, want: 2 },
    { name: "due in the future: keeps yielding", next: NOW + 5_000, want: 2 },
    { name: "waited exactly maxYieldMs: keeps yielding", next: NOW - 100, want: 2 },
    { name: "waited longer than maxYieldMs: full concurrency", next: NOW - 101, want: 8 },
  ])("after a look at the queue, $name", ({ next, want }) => {
    const gate = createIntakeGate({ concurrency: 8, yieldToIntake: () => true, maxYieldMs: 100, now: () => NOW });
    gate.observe(next);
    expect(gate.limit()).toBe(want);
  });

  it("yields again once the overdue job ran (the next look finds nothing overdue), and uses 10 s by default", () => {
    let now = NOW;
    const gate = createIntakeGate({ concurrency: 4, yieldToIntake: () => true, now: () => now });
    gate.observe(NOW - 10_000);
    expect(gate.limit()).toBe(1);
    now += 1;
    gate.observe(NOW - 10_000);
    expect(gate.limit()).toBe(4);
    gate.observe(now + 50);
    expect(gate.limit()).toBe(1);
  });

  it("asks yieldToIntake at every look, so the limit follows the intake", () => {
    let pressure = true;
    const gate = createIntakeGate({ concurrency: 12, yieldToIntake: () => pressure, now: () => NOW });
    expect(gate.limit()).toBe(3);
    pressure = false;
    expect(gate.limit()).toBe(12);
  });
});
