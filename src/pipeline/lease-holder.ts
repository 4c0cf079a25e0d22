/**
 * Whether the process that holds a job lease is gone. Worker ids are `host:pid:start`; on the
 * same host a pid that no longer exists (or belongs to this process from an earlier start)
 * is gone. Holders on other hosts are left to their lease expiry.
 */
export function isLeaseHolderGone(holder: string, thisHost: string, isAlive = pidIsAlive, thisPid = process.pid): boolean {
  const match = /^(.*):(\d+):[0-9a-z]+$/.exec(holder);
  if (!match || match[1] !== thisHost) return false;
  const pid = Number(match[2]);
  return pid === thisPid || !isAlive(pid);
}

function pidIsAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}
