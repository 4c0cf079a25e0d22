# syntax=docker/dockerfile:1
# buildgate: build the TypeScript, then a slim runtime image running as a non-root user.
FROM node:20-bookworm-slim AS build
WORKDIR /app
# better-sqlite3 compiles when no prebuilt binary matches.
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
RUN npm ci
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build && npm prune --omit=dev

FROM node:20-bookworm-slim
ENV NODE_ENV=production
WORKDIR /app
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json ./
COPY config ./config
COPY views ./views
COPY public ./public
COPY examples ./examples
# The local runner (builder: local) needs bash and git; CodeBuild deployments don't use them.
RUN apt-get update && apt-get install -y --no-install-recommends bash git ca-certificates && rm -rf /var/lib/apt/lists/* \
  && mkdir -p /app/data && chown -R node:node /app/data
USER node
VOLUME ["/app/data", "/app/config"]
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=3s CMD node -e "fetch('http://127.0.0.1:'+(process.env.PORT||8080)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
# Mount your config at /app/config/buildgate.yaml or set BUILDGATE_CONFIG. Node runs as PID 1
# and handles SIGTERM itself: stop accepting, finish the jobs in flight, exit.
ENV PORT=8080
ENTRYPOINT ["node", "dist/cli.js"]
CMD ["serve"]
