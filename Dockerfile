# One image for every NeuroGrid part: `neurogrid head | worker | api | dispatcher | migrate`.
FROM node:20-bookworm-slim AS build
WORKDIR /app
ENV ONNXRUNTIME_NODE_INSTALL=skip TURBO_TELEMETRY_DISABLED=1
COPY package.json package-lock.json .npmrc turbo.json tsconfig.json ./
COPY schema/package.json schema/
COPY cluster/package.json cluster/
COPY contracts/package.json contracts/
COPY api/package.json api/
RUN npm ci --no-fund --no-audit
COPY . .
RUN npm run build && npm prune --omit=dev

FROM node:20-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production
COPY --from=build /app /app
USER node
ENTRYPOINT ["node", "api/dist/cli/main.js"]
CMD ["--help"]
