import { BuilderError, type Builder, type PollResult } from "../domain/builder.js";
import type { RouteRule } from "../domain/route-rule.js";

/** Local runner build ids start with this; every other id is CodeBuild's. */
const LOCAL_PREFIX = "local:";

/**
 * One Builder for the pipeline that sends each build to its route's builder (CodeBuild or the
 * local runner) and adds the route's inline buildspec. Polls and stops go by build id; looking a
 * build up by key goes by route, like starting it.
 */
export function createRouteBuilder(o: { codebuild: Builder; local?: Builder; routes: readonly RouteRule[] }): Builder {
  const routes = new Map(o.routes.map((r) => [r.name, r]));
  const localBuilder = () => {
    if (!o.local) throw new BuilderError("the local runner is not configured (local section)", false);
    return o.local;
  };
  return {
    maxPollBatch: Math.min(o.codebuild.maxPollBatch, o.local?.maxPollBatch ?? Infinity),
    start(req) {
      const route = req.route ? routes.get(req.route) : undefined;
      const withSpec = route?.buildspec ? { ...req, buildspec: route.buildspec } : req;
      return route?.builder === "local" ? localBuilder().start(withSpec) : o.codebuild.start(withSpec);
    },
    async poll(ids): Promise<PollResult> {
      const local = ids.filter((id) => id.startsWith(LOCAL_PREFIX));
      const remote = ids.filter((id) => !id.startsWith(LOCAL_PREFIX));
      const results = await Promise.all([remote.length ? o.codebuild.poll(remote) : { snapshots: [], notFound: [] }, local.length && o.local ? o.local.poll(local) : { snapshots: [], notFound: local }]);
      return { snapshots: results.flatMap((r) => r.snapshots), notFound: results.flatMap((r) => r.notFound) };
    },
    stop: (id) => (id.startsWith(LOCAL_PREFIX) ? localBuilder().stop(id) : o.codebuild.stop(id)),
    async findByKey(project, key, since, route) {
      const builder = route && routes.get(route)?.builder === "local" ? localBuilder() : o.codebuild;
      return builder.findByKey?.(project, key, since, route);
    },
  };
}
