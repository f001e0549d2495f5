# One image, three entry points: SERVICE=server, SERVICE=keyserver, or SERVICE=web (the web app's static server).
FROM node:24-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run build && npm prune --omit=dev

FROM node:24-bookworm-slim
ENV NODE_ENV=production HOST=0.0.0.0 WEB_HOST=0.0.0.0 LOG_FORMAT=json
WORKDIR /app
# Production dependencies and the build only, owned by root: the service cannot rewrite its own code.
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY --from=build /app/scripts/migrate.mjs /app/scripts/reconcile.mjs /app/scripts/rewrap.mjs ./scripts/
COPY --from=build /app/apps/web/serve.mjs ./apps/web/serve.mjs
USER node
ARG SERVICE=server
ENV SERVICE=${SERVICE}
# The server's default port, the keyserver's and the web app's.
EXPOSE 3000 3001 3002
# The slim image has no curl: Node's fetch probes liveness on $PORT (or the service's default port); the web
# app's server on WEB_PORT, by its config.json.
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --retries=3 \
  CMD ["node", "-e", "const web = process.env.SERVICE === 'web'; const port = process.env.PORT || (process.env.SERVICE === 'keyserver' ? 3001 : 3000); const url = web ? 'http://127.0.0.1:' + (process.env.WEB_PORT || 3002) + '/config.json' : 'http://127.0.0.1:' + port + '/health/live'; fetch(url).then(r => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# The service bundled into one file (scripts/bundle.mjs), its compiled code cached here between starts.
ENV NODE_COMPILE_CACHE=/tmp/node-compile-cache
# Memory (README, Performance): V8's young generation at 4 MB a half instead of up to 32, and two malloc
# arenas instead of one per thread: peaks near 180-230 MB under load instead of near 300, at no measurable cost in speed.
ENV NODE_OPTIONS=--max-semi-space-size=4 MALLOC_ARENA_MAX=2
# exec: node is PID 1's child no more, and receives SIGTERM itself (graceful shutdown).
CMD ["sh", "-c", "if [ \"$SERVICE\" = web ]; then exec node apps/web/serve.mjs; else exec node dist/apps/$SERVICE/main.mjs; fi"]
