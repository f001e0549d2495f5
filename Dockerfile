# One image, two services: SERVICE=server or SERVICE=keyserver picks the entry point.
FROM node:24-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run build && npm prune --omit=dev

FROM node:24-bookworm-slim
ENV NODE_ENV=production HOST=0.0.0.0
WORKDIR /app
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
USER node
ARG SERVICE=server
ENV SERVICE=${SERVICE}
CMD ["sh", "-c", "exec node dist/apps/$SERVICE/apps/$SERVICE/src/main.js"]
