# kyc-webhooks container image. UNTESTED HERE: the development machines have no Docker engine, so this
# file is kept simple enough to be checked by reading (see docs/operations.md).
#
#   docker build -t kyc-webhooks .
#   docker run -p 8080:8080 -v kyc-data:/data -v $PWD/config.json:/etc/kyc-webhooks/config.json:ro \
#       -e GU1_WEBHOOK_SECRET=... kyc-webhooks
#
# The config must listen on 0.0.0.0 inside the container ("listen": {"host": "0.0.0.0", "port": 8080}) and
# keep its store under /data (e.g. "path": "/data/kyc-webhooks.sqlite3").

# ---- build stage: the Swift toolchain and the C libraries' headers
FROM swift:6.1-bookworm AS build
RUN apt-get update \
 && apt-get install -y --no-install-recommends libssl-dev libsqlite3-dev libcurl4-openssl-dev \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
# The manifest names the test targets too, so their folders must exist for it to load.
COPY Package.swift ./
COPY Sources ./Sources
COPY Tests ./Tests
RUN swift build -c release --static-swift-stdlib --product kyc-webhooks \
 && install -D -m 0755 "$(swift build -c release --show-bin-path)/kyc-webhooks" /out/kyc-webhooks

# ---- runtime stage: slim Debian with only the shared libraries the binary links
FROM debian:bookworm-slim
# libssl3: libcrypto (HMAC, SHA-256, AES); libsqlite3-0: the store; libcurl4: Foundation's URLSession
# (http handlers, `send`); curl: the HEALTHCHECK.
RUN apt-get update \
 && apt-get install -y --no-install-recommends libssl3 libsqlite3-0 libcurl4 ca-certificates curl tzdata \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --uid 10001 --user-group --home-dir /data --no-create-home kyc \
 && install -d -o kyc -g kyc -m 0700 /data
COPY --from=build /out/kyc-webhooks /usr/local/bin/kyc-webhooks
USER kyc
WORKDIR /data
VOLUME ["/data"]
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=3s --start-period=10s --retries=3 \
  CMD curl -fsS http://127.0.0.1:8080/healthz || exit 1
ENTRYPOINT ["/usr/local/bin/kyc-webhooks"]
CMD ["serve", "--config", "/etc/kyc-webhooks/config.json"]
