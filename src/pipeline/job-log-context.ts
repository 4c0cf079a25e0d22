import type { Store } from "../store/store.js";
import type { JobHandler } from "./job-runner.js";

/** The delivery that planned a build, from its stored trigger. */
function deliveryIdOf(trigger: string | null): string | undefined {
  if (!trigger) return undefined;
  try {
    const id = (JSON.parse(trigger) as { deliveryId?: unknown }).deliveryId;
    return typeof id === "string" ? id : undefined;
  } catch {
    return undefined;
  }
}

/**
 * A build job's handler whose log lines carry the build's delivery id next to the buildId the
 * runner binds: a delivery's work can be followed from the webhook to the last status. The
 * binding is on the job's logger, so the runner's retry and dead-letter lines carry it too.
 */
export function withBuildLogContext(store: Pick<Store, "getBuild">, handler: JobHandler): JobHandler {
  return {
    async run(payload, ctx) {
      const buildId = (payload as { buildId?: unknown } | null)?.buildId;
      if (typeof buildId === "number") {
        // A store that does not answer fails the handler's own read; the context is best-effort.
        const build = await store.getBuild(buildId).catch(() => undefined);
        const deliveryId = build && deliveryIdOf(build.trigger);
        if (deliveryId) ctx.log.setBindings({ deliveryId });
      }
      await handler.run(payload, ctx);
    },
    ...(handler.onGiveUp ? { onGiveUp: handler.onGiveUp.bind(handler) } : {}),
  };
}
