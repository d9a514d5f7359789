#!/bin/sh
# STAND-IN entrypoint, as the official eclipse-mosquitto image's: as root, hand /mosquitto to the
# mosquitto user (read-only mounts fail quietly), then run the command.
set -e
if [ "$(id -u)" = 0 ]; then
  [ -d /mosquitto ] && chown -R mosquitto:mosquitto /mosquitto 2>/dev/null || true
fi
exec "$@"
