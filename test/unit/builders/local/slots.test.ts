import { Slots } from "../../../../src/builders/local/slots.js";

const never = () => new AbortController().signal;

describe("Slots", () => {
  it("lets `size` holders in at once and the others in, in order, as slots free up", async () => {
    const slots = new Slots(2);
    const order: string[] = [];
    const a = await slots.acquire(never());
    await slots.acquire(never());
    const c = slots.acquire(never()).then((r) => (order.push("c"), r));
    const d = slots.acquire(never()).then((r) => (order.push("d"), r));
    expect(slots.queued).toBe(2);
    a();
    a(); // releasing twice frees one slot only
    await c;
    expect(order).toEqual(["c"]);
    expect(slots.queued).toBe(1);
    (await c)();
    await d;
    expect(order).toEqual(["c", "d"]);
  });

  it("drops a waiter whose signal aborts, with the signal's reason", async () => {
    const slots = new Slots(1);
    const release = await slots.acquire(never());
    const ctl = new AbortController();
    const waiting = slots.acquire(ctl.signal);
    ctl.abort("STOPPED");
    await expect(waiting).rejects.toBe("STOPPED");
    expect(slots.queued).toBe(0);
    release();
    const next = await slots.acquire(never());
    expect(typeof next).toBe("function");
  });
});
