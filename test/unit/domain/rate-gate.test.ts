import { createRateGate } from "../../../src/domain/rate-gate.js";

const T0 = 1_700_000_000_000;
const MINUTE = 60_000;

describe("createRateGate: 75 a minute", () => {
  it("lets 75 through at once and makes the 76th wait until the first slot frees", () => {
    const gate = createRateGate(75, MINUTE);
    // One slot every 100 ms: the first at T0, the 75th at T0 + 7.4 s.
    const waits = Array.from({ length: 75 }, (_, i) => gate.reserve(T0 + i * 100));
    expect(waits.every((w) => w === 0)).toBe(true);

    expect(gate.reserve(T0 + 10_000)).toBe(MINUTE - 10_000);
    // Asking again takes nothing: the wait only shrinks with time.
    expect(gate.reserve(T0 + 30_000)).toBe(MINUTE - 30_000);
    expect(gate.reserve(T0 + MINUTE - 1)).toBe(1);
  });

  it("frees slots as they leave the window, one by one", () => {
    const gate = createRateGate(75, MINUTE);
    for (let i = 0; i < 75; i++) gate.reserve(T0 + i * 100);

    expect(gate.reserve(T0 + MINUTE)).toBe(0); // the slot taken at T0 is free
    expect(gate.reserve(T0 + MINUTE)).toBe(100); // the next frees at T0 + 100 ms + 1 min
    expect(gate.reserve(T0 + MINUTE + 100)).toBe(0);
    expect(gate.reserve(T0 + MINUTE + 150)).toBe(50);
  });

  it("gives a full budget again after a quiet minute", () => {
    const gate = createRateGate(75, MINUTE);
    for (let i = 0; i < 75; i++) expect(gate.reserve(T0)).toBe(0);
    expect(gate.reserve(T0)).toBe(MINUTE);

    const later = T0 + 2 * MINUTE;
    const waits = Array.from({ length: 76 }, () => gate.reserve(later));
    expect(waits.slice(0, 75).every((w) => w === 0)).toBe(true);
    expect(waits[75]).toBe(MINUTE);
  });

  it("never lets more than 75 through in any minute of a steady stream", () => {
    const gate = createRateGate(75, MINUTE);
    const granted: number[] = [];
    // Someone asks every 200 ms for 5 minutes (300 a minute).
    for (let t = T0; t < T0 + 5 * MINUTE; t += 200) if (gate.reserve(t) === 0) granted.push(t);
    for (const start of granted) {
      expect(granted.filter((t) => t >= start && t < start + MINUTE).length).toBeLessThanOrEqual(75);
    }
    // … and does let about 75 a minute through.
    expect(granted.length).toBeGreaterThanOrEqual(5 * 75 - 75);
  });

  it("separate gates do not share slots", () => {
    const a = createRateGate(1, MINUTE);
    const b = createRateGate(1, MINUTE);
    expect(a.reserve(T0)).toBe(0);
    expect(b.reserve(T0)).toBe(0);
    expect(a.reserve(T0)).toBe(MINUTE);
  });
});

describe("createRateGate: pause", () => {
  it("holds everything back until the pause ends, then lets the budget through", () => {
    const gate = createRateGate(75, MINUTE);
    gate.pause(T0 + 30_000);
    expect(gate.reserve(T0)).toBe(30_000);
    expect(gate.reserve(T0 + 29_000)).toBe(1_000);
    // Waiting took no slots.
    const waits = Array.from({ length: 76 }, () => gate.reserve(T0 + 30_000));
    expect(waits.filter((w) => w === 0)).toHaveLength(75);
  });

  it("keeps the later of two pauses", () => {
    const gate = createRateGate(75, MINUTE);
    gate.pause(T0 + 60_000);
    gate.pause(T0 + 10_000);
    expect(gate.reserve(T0)).toBe(60_000);
  });

  it("a pause in the past changes nothing", () => {
    const gate = createRateGate(75, MINUTE);
    gate.pause(T0 - 1);
    expect(gate.reserve(T0)).toBe(0);
  });
});
