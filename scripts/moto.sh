# Sourced by the test and benchmark scripts: installs moto in its own venv
# and starts one moto server on 127.0.0.1 with a free port.
#
#   source scripts/moto.sh && moto_start
#
# exports ANCHOR_MOTO_ENDPOINT (http://127.0.0.1:<port>) and stops the server
# when the calling shell exits. Tests reset its state between cases with
# POST /moto-api/reset. moto 5.2.1 answers CompleteMultipartUpload in a shape
# the AWS SDK cannot parse; 5.2.5 does not.

MOTO_VERSION="${MOTO_VERSION:-5.2.5}"
MOTO_VENV="${MOTO_VENV:-$PWD/target/moto-venv}"

moto_install() {
  if [ ! -x "$MOTO_VENV/bin/moto_server" ] ||
    ! "$MOTO_VENV/bin/python" -c "import moto,sys; sys.exit(moto.__version__ != '$MOTO_VERSION')" 2>/dev/null; then
    echo "installing moto[server]==$MOTO_VERSION into $MOTO_VENV"
    python3 -m venv "$MOTO_VENV"
    "$MOTO_VENV/bin/pip" install --quiet --disable-pip-version-check "moto[server]==$MOTO_VERSION"
  fi
}

moto_start() {
  moto_install
  local port
  port=$("$MOTO_VENV/bin/python" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  # ACM turns a certificate ISSUED this many seconds after the request.
  MOTO_ACM_VALIDATION_WAIT="${MOTO_ACM_VALIDATION_WAIT:-2}" \
    "$MOTO_VENV/bin/moto_server" -H 127.0.0.1 -p "$port" >"${MOTO_LOG:-/dev/null}" 2>&1 &
  MOTO_PID=$!
  trap 'moto_stop' EXIT
  export ANCHOR_MOTO_ENDPOINT="http://127.0.0.1:$port"
  for _ in $(seq 1 100); do
    if "$MOTO_VENV/bin/python" -c "import urllib.request as u; u.urlopen('$ANCHOR_MOTO_ENDPOINT/moto-api/')" 2>/dev/null; then
      echo "moto $MOTO_VERSION listening on $ANCHOR_MOTO_ENDPOINT (pid $MOTO_PID)"
      return 0
    fi
    sleep 0.2
  done
  echo "moto did not start on $ANCHOR_MOTO_ENDPOINT" >&2
  return 1
}

moto_stop() {
  if [ -n "${MOTO_PID:-}" ]; then
    kill "$MOTO_PID" 2>/dev/null || true
    wait "$MOTO_PID" 2>/dev/null || true
    MOTO_PID=
  fi
}
