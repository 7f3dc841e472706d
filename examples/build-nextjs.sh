#!/usr/bin/env bash
# Build examples/nextjs-app with OpenNext (@opennextjs/aws).
#
# Usage: examples/build-nextjs.sh [OUT_DIR]
#
#   OUT_DIR              optional; if given, the resulting .open-next folder is
#                        copied there (replacing OUT_DIR). Otherwise the build is
#                        left at examples/nextjs-app/.open-next.
#   ANCHOR_APP_VERSION   optional env var; if set (e.g. "v2"), lib/version.ts is
#                        rewritten with that version for the build and restored
#                        to its original content afterwards (even on failure).
#   ANCHOR_OPENNEXT_DEFAULT_SHARP
#                        optional env var; if 1, the build uses OpenNext's
#                        default configuration, which installs arm64 sharp in
#                        the image function (open-next.config.ts forces x64 so
#                        that the local edge can run it). The tests check that
#                        Anchor detects the architecture from such a build.
#   ANCHOR_OPENNEXT_STREAMING
#                        optional env var; if 1, the server function is built
#                        with OpenNext's streaming wrapper
#                        (`aws-lambda-streaming`): it answers through a Lambda
#                        response stream, which needs a RESPONSE_STREAM
#                        Function URL. The test command builds v2 this way, so
#                        every switch in the tests crosses the two wrappers.
#   NEXT_DEPLOYMENT_ID   optional env var; Next's deploymentId for the build,
#                        `anchor-example-<ANCHOR_APP_VERSION or v1>` unless
#                        set (set it empty to build without one). Next 16
#                        copies it into `deploymentId`: the client then sends
#                        `x-deployment-id` and `?dpl=`, which the edge router
#                        pins to the deployment (skew protection).
#
# Needs node >= 20 and npm; only the npm registry is contacted (by `npm ci`).
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
APP_DIR="$SCRIPT_DIR/nextjs-app"
VERSION_FILE="$APP_DIR/lib/version.ts"

OUT_DIR="${1:-}"
if [[ -n "$OUT_DIR" ]]; then
  # Resolve relative to the caller's cwd before we cd anywhere.
  mkdir -p "$(dirname "$OUT_DIR")"
  OUT_DIR="$(cd "$(dirname "$OUT_DIR")" && pwd)/$(basename "$OUT_DIR")"
  case "$OUT_DIR" in
    / | /. | /.. | "$SCRIPT_DIR" | "$APP_DIR" | "$APP_DIR"/*)
      echo "refusing to use OUT_DIR=$OUT_DIR" >&2
      exit 2
      ;;
  esac
fi

export NEXT_TELEMETRY_DISABLED=1
export NEXT_DEPLOYMENT_ID="${NEXT_DEPLOYMENT_ID-anchor-example-${ANCHOR_APP_VERSION:-v1}}"

cd "$APP_DIR"

# Every change made to the app for one build is undone on exit, in order.
CLEANUPS=()
run_cleanups() { for c in "${CLEANUPS[@]}"; do "$c"; done; }
trap run_cleanups EXIT

# --- optional version override, restored by trap -----------------------------
if [[ -n "${ANCHOR_APP_VERSION:-}" ]]; then
  if [[ ! "$ANCHOR_APP_VERSION" =~ ^[A-Za-z0-9._-]+$ ]]; then
    echo "ANCHOR_APP_VERSION must match [A-Za-z0-9._-]+ (got: $ANCHOR_APP_VERSION)" >&2
    exit 2
  fi
  VERSION_BACKUP="$(mktemp)"
  cp "$VERSION_FILE" "$VERSION_BACKUP"
  restore_version() {
    cp "$VERSION_BACKUP" "$VERSION_FILE"
    rm -f "$VERSION_BACKUP"
  }
  CLEANUPS+=(restore_version)
  printf 'export const APP_VERSION = "%s";\n' "$ANCHOR_APP_VERSION" > "$VERSION_FILE"
  echo "==> building with APP_VERSION=$ANCHOR_APP_VERSION"
fi

# --- an unhashed public file that differs between versions, removed by trap ---
# BUILD_ID cannot tell two builds apart: with a deploymentId, Next 16 writes
# the same constant BUILD_ID for every build. public/version.txt can.
VERSION_TXT="$APP_DIR/public/version.txt"
printf '%s\n' "${ANCHOR_APP_VERSION:-v1}" > "$VERSION_TXT"
remove_version_txt() { rm -f "$VERSION_TXT"; }
CLEANUPS+=(remove_version_txt)

# --- optional configuration variants, restored by trap -----------------------
CONFIG_FILE="$APP_DIR/open-next.config.ts"
if [[ "${ANCHOR_OPENNEXT_STREAMING:-}" == 1 && "${ANCHOR_OPENNEXT_DEFAULT_SHARP:-}" == 1 ]]; then
  echo "ANCHOR_OPENNEXT_STREAMING and ANCHOR_OPENNEXT_DEFAULT_SHARP cannot be combined" >&2
  exit 2
fi
# Keeps a copy of open-next.config.ts (CONFIG_BACKUP) and puts it back on
# exit, after the version file if that was changed too.
back_up_config() {
  CONFIG_BACKUP="$(mktemp)"
  cp "$CONFIG_FILE" "$CONFIG_BACKUP"
  restore_config() {
    cp "$CONFIG_BACKUP" "$CONFIG_FILE"
    rm -f "$CONFIG_BACKUP"
  }
  CLEANUPS+=(restore_config)
}
if [[ "${ANCHOR_OPENNEXT_DEFAULT_SHARP:-}" == 1 ]]; then
  back_up_config
  printf '%s\n' 'const config = { default: {} };' 'export default config;' > "$CONFIG_FILE"
  echo "==> building with OpenNext's default configuration (arm64 sharp)"
fi
if [[ "${ANCHOR_OPENNEXT_STREAMING:-}" == 1 ]]; then
  back_up_config
  # The one line the default function's overrides start with.
  marker='      cdnInvalidation: "cloudfront",'
  grep -qxF "$marker" "$CONFIG_FILE" || { echo "open-next.config.ts has no line: $marker" >&2; exit 1; }
  awk -v marker="$marker" '{ print } $0 == marker { print "      wrapper: \"aws-lambda-streaming\"," }' \
    "$CONFIG_BACKUP" > "$CONFIG_FILE"
  echo "==> building the server with OpenNext's streaming wrapper (aws-lambda-streaming)"
fi

# --- dependencies: npm ci only when needed ------------------------------------
# npm writes node_modules/.package-lock.json on every install; if the committed
# lockfile is newer than it (or it is missing) we reinstall.
if [[ ! -f node_modules/.package-lock.json || package-lock.json -nt node_modules/.package-lock.json ]]; then
  echo "==> npm ci"
  npm ci --no-audit --no-fund
else
  echo "==> node_modules up to date, skipping npm ci"
fi

# --- build --------------------------------------------------------------------
# Start from a clean output so stale files from an earlier version never leak in.
rm -rf .open-next .next
echo "==> open-next build"
npx --no-install open-next build

if [[ ! -f .open-next/open-next.output.json ]]; then
  echo "open-next build did not produce .open-next/open-next.output.json" >&2
  exit 1
fi

# OpenNext only logs (does not fail) when `npm install sharp` for the image
# optimization function fails, e.g. without registry access.
if [[ ! -d .open-next/image-optimization-function/node_modules/sharp ]]; then
  echo "WARNING: sharp is missing from .open-next/image-optimization-function (image optimization will not work)" >&2
fi

if [[ -n "$OUT_DIR" ]]; then
  rm -rf "$OUT_DIR"
  mkdir -p "$OUT_DIR"
  # -a keeps symlinks/permissions; trailing /. copies the contents.
  cp -a .open-next/. "$OUT_DIR/"
  echo "==> OpenNext build copied to $OUT_DIR"
else
  echo "==> OpenNext build is at $APP_DIR/.open-next"
fi
