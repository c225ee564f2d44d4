# syntax=docker/dockerfile:1
#
# podlint-webhook image: a static binary on distroless, running as non-root.
#
#   docker build --build-arg VERSION=v0.1.0 -t ghcr.io/podlint/podlint-webhook:v0.1.0 .
#
# The binary is built by hack/release, the same command and flags as the
# podlint-webhook of "make release" (static, -trimpath, stripped, VERSION
# stamped). No Docker engine runs in podlint's development and CI
# environment, so this file is not built there: "make release" in CI builds
# the same binary for linux/amd64 and linux/arm64, and the image itself is
# built by whoever publishes it.

# The builder runs on the build host's platform and cross-compiles, so a
# multi-platform build (--platform linux/amd64,linux/arm64) needs no emulation.
FROM --platform=$BUILDPLATFORM golang:1.26 AS build
ARG TARGETOS=linux
ARG TARGETARCH
# Stamped into the binary (podlint-webhook --version); use the image tag.
ARG VERSION=dev
WORKDIR /src
# Dependencies first: this layer is reused until go.mod or go.sum change.
COPY go.mod go.sum ./
RUN --mount=type=cache,target=/go/pkg/mod go mod download
COPY . .
RUN --mount=type=cache,target=/go/pkg/mod --mount=type=cache,target=/root/.cache/go-build \
    go run ./hack/release -binary podlint-webhook -platform "$TARGETOS/$TARGETARCH" \
        -version "$VERSION" -o /out/podlint-webhook

# distroless/static has CA certificates, /etc/passwd with the nonroot user
# (65532) and nothing else: no shell, no package manager.
FROM gcr.io/distroless/static:nonroot
COPY --from=build /out/podlint-webhook /podlint-webhook
# Numeric, so that runAsNonRoot can verify it without reading /etc/passwd.
USER 65532:65532
EXPOSE 9443 8080 8081
ENTRYPOINT ["/podlint-webhook"]
