import type { Request, Response } from "express";
import type { Logger } from "pino";
import type { BoardContext } from "./board-context.js";
import { toLiveBuild } from "./live-build.js";

const POLL_MS = 1000;
const MAX_CLIENTS = 500;

/**
 * Server-Sent Events: every second, builds changed since the last look are sent to every open
 * board as `build` events. Reading the store (not in-process events) keeps replicas consistent:
 * a change made by any replica reaches every browser.
 */
export function createLiveUpdates(ctx: BoardContext, log: Logger) {
  const clients = new Set<Response>();
  let since = ctx.now();
  let timer: NodeJS.Timeout | undefined;

  async function tick(): Promise<void> {
    try {
      const changed = await ctx.store.buildsChangedSince(since, 200);
      if (changed.length > 0) since = Math.max(...changed.map((b) => Number(b.updated_at)));
      for (const b of changed) {
        // live-build.ts: what rows, dashboard cards and the in-flight and failure lists need.
        const data = JSON.stringify(toLiveBuild(b, ctx.linkOptions));
        for (const res of clients) res.write(`event: build\ndata: ${data}\n\n`);
      }
      for (const res of clients) res.write(": keep-alive\n\n");
    } catch (err) {
      log.warn({ err: String(err) }, "live updates: could not read changes");
    }
  }

  return {
    handler(req: Request, res: Response): void {
      if (clients.size >= MAX_CLIENTS) {
        res.status(503).json({ error: "too many live connections" });
        return;
      }
      res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-store", connection: "keep-alive", "x-accel-buffering": "no" });
      res.write("retry: 3000\n\n");
      clients.add(res);
      if (!timer) {
        // Nobody listened for a while: start from just before this page was rendered, not from
        // every change since the last listener left (a flood of stale events).
        since = Math.max(since, ctx.now() - 5_000);
        timer = setInterval(() => void tick(), POLL_MS);
      }
      req.on("close", () => {
        clients.delete(res);
        if (clients.size === 0 && timer) {
          clearInterval(timer);
          timer = undefined;
        }
      });
    },
    close(): void {
      if (timer) clearInterval(timer);
      timer = undefined;
      for (const res of clients) res.end();
      clients.clear();
    },
  };
}
