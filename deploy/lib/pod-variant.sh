# Sourced by deploy/setup.sh and test/smoke/smoke.sh: pod.yaml with optional parts left out or added.
# The parts are the blocks between `# --- <part>:begin` and `# --- <part>:end` marks in pod.yaml:
#   grafana, mqtt (Mosquitto, mqtt-ingest and their init container)  present; can be left out
#   device-sim                                                       commented out; can be added
SEM_POD_PARTS="grafana mqtt device-sim"

# sem_pod_variant SRC DEST "PARTS TO LEAVE OUT" "PARTS TO ADD"
sem_pod_variant() {
  local src="$1" dest="$2" without="$3" with="$4" part
  cp "$src" "$dest.partial"
  for part in $without; do
    sed -i "/# --- $part:begin/,/# --- $part:end/d" "$dest.partial"
  done
  for part in $with; do
    # A commented-out block: its lines start with four spaces and `# `.
    sed -i "/# --- $part:begin/,/# --- $part:end/{/# --- $part:/d;s/^    # /    /}" "$dest.partial"
  done
  mv "$dest.partial" "$dest"
}
