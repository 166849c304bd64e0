# deckscope: multi-stage build. The build stage has the toolchain and libpcap headers; the runtime
# stage has only Node, libpcap and the built files, and runs as an unprivileged user.
#
#   docker build -t deckscope .
#   docker run --rm --network host --cap-drop ALL --cap-add NET_RAW --cap-add NET_ADMIN deckscope -i eth0 -o -

FROM node:20-bookworm-slim AS build
RUN apt-get update \
 && apt-get install -y --no-install-recommends libpcap-dev python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY package.json package-lock.json binding.gyp tsconfig.json tsconfig.build.json ./
COPY scripts/check-libpcap.mjs scripts/check-libpcap.mjs
COPY native native
RUN npm ci --no-audit --no-fund --ignore-scripts && npx node-gyp rebuild
COPY src src
COPY bench bench
COPY scripts scripts
RUN npx tsc -p tsconfig.build.json && cp -r src/db/migrations dist/src/db/migrations && npm prune --omit=dev

FROM node:20-bookworm-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends libpcap0.8 libcap2-bin \
 && rm -rf /var/lib/apt/lists/* \
 && setcap cap_net_raw,cap_net_admin=eip "$(readlink -f "$(command -v node)")" \
 && useradd --system --no-create-home --shell /usr/sbin/nologin deckscope
WORKDIR /app
COPY --from=build /src/package.json ./
COPY --from=build /src/node_modules node_modules
COPY --from=build /src/build/Release/deckscope.node build/Release/deckscope.node
COPY --from=build /src/dist dist
COPY data/p0f data/p0f
COPY data/tools data/tools
COPY bin bin
USER deckscope
ENTRYPOINT ["node", "/app/bin/deckscope.js"]
CMD ["--help"]
