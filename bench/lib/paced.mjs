// An open-loop load generator: request i is due at start + i/rate, whatever happened to the
// others. Latency is measured from the due time, so a stalled server is not hidden by a
// client that waits for it (no coordinated omission).
import http from "node:http";
import { performance } from "node:perf_hooks";

/**
 * Sends `rate × durationMs` POSTs to `url`. `request(i)` gives each one's path, headers and body.
 * `onSent(i, dueMs, sentMs)` runs as each request goes out (performance clock). Requests still
 * unanswered `graceMs` after the last one was due are given up: they count as `unanswered`
 * and as infinitely slow.
 */
export function pacedLoad({ url, rate, durationMs, request, onSent, maxSockets = 512, graceMs = 5_000 }) {
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
    let settled = false;
    let giveUp;
    const settle = () => {
      if (settled) return;
      settled = true;
      clearTimeout(giveUp);
      agent.destroy();
      const elapsed = Math.min(performance.now() - start, durationMs + graceMs) / 1000;
      const unanswered = total - finished;
      resolve({ sent: total, latencies: Array.from(latencies, (x) => (Number.isNaN(x) ? Infinity : x)), statuses: Array.from(statuses), errors, unanswered, maxLagMs, elapsedSec: elapsed });
    };
    const done = () => {
      if (!settled && ++finished === total) settle();
    };
    giveUp = setTimeout(settle, durationMs + graceMs + 20);
    const fire = (i) => {
      const due = dueOf(i);
      const { path, headers, body } = request(i);
      const req = http.request({ host: target.hostname, port: target.port, path, method: "POST", agent, headers: { ...headers, "content-length": Buffer.byteLength(body) } }, (res) => {
        res.resume();
        res.on("end", () => {
          if (settled) return;
          latencies[i] = performance.now() - due;
          statuses[i] = res.statusCode ?? 0;
          done();
        });
      });
      req.on("error", () => {
        if (settled) return;
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
      if (settled) return;
      const now = performance.now();
      while (next < total && dueOf(next) <= now) fire(next++);
      if (next < total) setTimeout(tick, Math.max(0, Math.min(1, dueOf(next) - performance.now())));
    };
    setTimeout(tick, 20);
  });
}
