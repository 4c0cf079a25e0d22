// An open-loop load generator: request i is due at start + i/rate, whatever happened to the
// others. Latency is measured from the due time, so a stalled server is not hidden by a
// client that waits for it (no coordinated omission).
import http from "node:http";
import { performance } from "node:perf_hooks";

/**
 * Sends `rate × durationMs` POSTs to `url`. `request(i)` gives each one's path, headers and body.
 * `onSent(i, dueMs, sentMs)` runs as each request goes out (performance clock).
 */
export function pacedLoad({ url, rate, durationMs, request, onSent, maxSockets = 512, timeoutMs = 30_000 }) {
  const target = new URL(url);
  const agent = new http.Agent({ keepAlive: true, maxSockets });
  const total = Math.max(1, Math.round((rate * durationMs) / 1000));
  const latencies = new Float64Array(total).fill(NaN);
  const statuses = new Int16Array(total);
  let errors = 0;
  let finished = 0;
  let maxLagMs = 0;
  const start = performance.now() + 20;
  const dueOf = (i) => start + (i * 1000) / rate;

  return new Promise((resolve) => {
    const done = () => {
      if (++finished < total) return;
      agent.destroy();
      const elapsed = (performance.now() - start) / 1000;
      resolve({ sent: total, latencies: Array.from(latencies).filter((x) => !Number.isNaN(x)), statuses: Array.from(statuses), errors, maxLagMs, elapsedSec: elapsed });
    };
    const fire = (i) => {
      const due = dueOf(i);
      const { path, headers, body } = request(i);
      const req = http.request({ host: target.hostname, port: target.port, path, method: "POST", agent, timeout: timeoutMs, headers: { ...headers, "content-length": Buffer.byteLength(body) } }, (res) => {
        res.resume();
        res.on("end", () => {
          latencies[i] = performance.now() - due;
          statuses[i] = res.statusCode ?? 0;
          done();
        });
      });
      req.on("timeout", () => req.destroy(new Error("timeout")));
      req.on("error", () => {
        errors++;
        done();
      });
      req.end(body);
      const now = performance.now();
      maxLagMs = Math.max(maxLagMs, now - due);
      onSent?.(i, due, now);
    };
    let next = 0;
    const tick = () => {
      const now = performance.now();
      while (next < total && dueOf(next) <= now) fire(next++);
      if (next < total) setTimeout(tick, Math.max(0, Math.min(1, dueOf(next) - performance.now())));
    };
    setTimeout(tick, 20);
  });
}
