# Leadflow app and worker image (one image, two commands; see docker-compose.yml).
FROM node:20.20-bookworm-slim AS build
WORKDIR /app
ENV LEADFLOW_SKIP_N8N_INSTALL=1
COPY package.json package-lock.json ./
COPY workflow-compiler/package.json workflow-compiler/package.json
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run build && npm prune --omit=dev

FROM node:20.20-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production HOST=0.0.0.0 PORT=3000
COPY --from=build /app /app
USER node
EXPOSE 3000
CMD ["node", "--import", "tsx", "scripts/start.ts"]
