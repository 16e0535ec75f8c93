# SPDX-License-Identifier: Apache-2.0
# exchanged and exchangectl, built from source on Debian 12 with Debian's packages.
FROM debian:12 AS build
RUN apt-get update \
 && apt-get install -y --no-install-recommends build-essential cmake ninja-build pkg-config \
      libboost-dev libssl-dev libpqxx-dev libpq-dev libprotobuf-dev protobuf-compiler prometheus-cpp-dev \
      libsqlite3-dev libjpeg62-turbo-dev libpng-dev libwebp-dev \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY CMakeLists.txt ./
COPY cmake cmake
COPY schema schema
COPY migrations migrations
COPY exchange exchange
COPY clients clients
COPY bench bench
RUN cmake -S . -B /build -G Ninja -DCMAKE_BUILD_TYPE=Release -DEXCHANGE_TESTS=OFF \
 && cmake --build /build --target exchanged exchangectl

FROM debian:12-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends libssl3 libpqxx-6.4 libprotobuf32 libprometheus-cpp-core1.0 libsqlite3-0 \
      libjpeg62-turbo libpng16-16 libwebp7 \
      ca-certificates curl \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --uid 10001 --home /var/lib/exchange exchange
COPY --from=build /build/bin/exchanged /build/bin/exchangectl /usr/local/bin/
USER exchange
EXPOSE 8443 8444 9464
HEALTHCHECK --interval=10s --timeout=3s CMD curl -fsS http://127.0.0.1:9464/readyz || exit 1
ENTRYPOINT ["exchanged"]
CMD ["serve", "--migrate"]
