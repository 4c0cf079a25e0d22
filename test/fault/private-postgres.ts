import { execFile } from "node:child_process";
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);

/**
 * A PostgreSQL server of the test's own (initdb in a temporary directory, its own port), so a
 * test can stop and restart it without disturbing the shared server other suites use. It needs
 * Debian's PostgreSQL binaries and root (initdb and the server run as the `postgres` user).
 */
export interface PrivatePostgres {
  readonly url: string;
  /** `pg_ctl restart -m fast`: every connection is dropped, the server is back when it resolves. */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

function binDir(): string | undefined {
  const root = "/usr/lib/postgresql";
  if (!existsSync(root)) return undefined;
  // The newest major version (numerically: "17" after "9.6").
  const version = readdirSync(root).sort((a, b) => parseFloat(a) - parseFloat(b)).pop();
  const bin = version && join(root, version, "bin");
  return bin && existsSync(join(bin, "pg_ctl")) ? bin : undefined;
}

/** Why a private server cannot run here, or undefined when it can. */
export function privatePostgresUnavailable(): string | undefined {
  if (!binDir()) return "no PostgreSQL binaries under /usr/lib/postgresql";
  if (process.getuid?.() !== 0) return "initdb must run as the postgres user, which needs root";
  if (!existsSync("/usr/sbin/runuser") && !existsSync("/sbin/runuser")) return "no runuser";
  return undefined;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

export async function startPrivatePostgres(): Promise<PrivatePostgres> {
  const bin = binDir() as string;
  const dir = mkdtempSync(join(tmpdir(), "bg-private-pg-"));
  const data = join(dir, "data");
  const asPostgres = (cmd: string, args: string[]) => run("runuser", ["-u", "postgres", "--", join(bin, cmd), ...args], { timeout: 60_000 });
  let port = 0;
  const ctl = (action: string, ...extra: string[]) =>
    asPostgres("pg_ctl", ["-D", data, "-l", join(dir, "server.log"), "-w", "-t", "30", "-o", `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1`, ...extra, action]);
  const remove = async () => {
    await asPostgres("pg_ctl", ["-D", data, "-m", "immediate", "-w", "stop"]).catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    chownSync(dir, Number((await run("id", ["-u", "postgres"])).stdout.trim()), Number((await run("id", ["-g", "postgres"])).stdout.trim()));
    await asPostgres("initdb", ["-D", data, "-A", "trust", "-U", "postgres", "--no-sync", "-E", "UTF8"]);
    // The free port is only free until someone else takes it: try another one if the start fails.
    for (let attempt = 1; ; attempt++) {
      port = await freePort();
      try {
        await ctl("start");
        break;
      } catch (err) {
        if (attempt >= 3) throw err;
      }
    }
  } catch (err) {
    await remove();
    throw err;
  }
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    restart: async () => void (await ctl("restart", "-m", "fast")),
    stop: remove,
  };
}
