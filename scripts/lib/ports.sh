# SPDX-License-Identifier: Apache-2.0
# free_port: a loopback TCP port nobody listens on, below the kernel's
# ephemeral range (so no outgoing connection holds it either). Source this.
free_port() {
  local port
  for _ in $(seq 1 200); do
    port=$((15000 + RANDOM % 17000))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
      echo "$port"
      return 0
    fi
  done
  echo "no free loopback port found" >&2
  return 1
}
