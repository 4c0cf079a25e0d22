import type session from "express-session";
import { DatabaseSessionStore } from "../../../../src/web/auth/session-store.js";
import type { SessionRows } from "../../../../src/store/session-rows.js";

/** Session rows in memory, recording every write. */
function recordingRows() {
  const writes: string[] = [];
  const rows: SessionRows = {
    getSession: async () => undefined,
    setSession: async (sid, _data, expiresAt) => void writes.push(`set ${sid} ${expiresAt}`),
    touchSession: async (sid, expiresAt) => void writes.push(`touch ${sid} ${expiresAt}`),
    destroySession: async (sid) => void writes.push(`destroy ${sid}`),
    pruneSessions: async () => 0,
  };
  return { rows, writes };
}

const sess = (expires: number) => ({ cookie: { expires: new Date(expires), originalMaxAge: 3_600_000 } }) as unknown as session.SessionData;
const call = (f: (cb: (err?: unknown) => void) => void) => new Promise<void>((resolve, reject) => f((err) => (err ? reject(err as Error) : resolve())));

describe("DatabaseSessionStore", () => {
  it("writes a touch only when it moves the expiry by a minute or more", async () => {
    const { rows, writes } = recordingRows();
    const store = new DatabaseSessionStore(rows, 3_600_000);
    await call((cb) => store.set("s1", sess(1_000_000), cb));
    // Page views within the next minute: the sliding expiry moves a few seconds each time.
    for (const t of [5_000, 20_000, 59_000]) await call((cb) => store.touch("s1", sess(1_000_000 + t), cb));
    expect(writes).toEqual(["set s1 1000000"]);
    await call((cb) => store.touch("s1", sess(1_060_000), cb));
    expect(writes).toEqual(["set s1 1000000", "touch s1 1060000"]);
    await call((cb) => store.touch("s1", sess(1_070_000), cb));
    expect(writes).toHaveLength(2);
  });

  it("writes the first touch of a session it has not written (another replica did, or before a restart)", async () => {
    const { rows, writes } = recordingRows();
    const store = new DatabaseSessionStore(rows, 3_600_000);
    await call((cb) => store.touch("other", sess(5_000), cb));
    await call((cb) => store.touch("other", sess(6_000), cb));
    expect(writes).toEqual(["touch other 5000"]);
  });

  it("forgets a destroyed session, so a new one under the same id is written", async () => {
    const { rows, writes } = recordingRows();
    const store = new DatabaseSessionStore(rows, 3_600_000);
    await call((cb) => store.set("s", sess(1_000), cb));
    await call((cb) => store.destroy("s", cb));
    await call((cb) => store.touch("s", sess(2_000), cb));
    expect(writes).toEqual(["set s 1000", "destroy s", "touch s 2000"]);
  });
});
