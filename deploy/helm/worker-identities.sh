#!/bin/sh
# The identities of a Helm release's workers, for worker.identitiesSecret:
#   deploy/helm/worker-identities.sh RELEASE REPLICAS API_URL PROVIDER_TOKEN CERTS_DIR OUT_DIR
# registers REPLICAS nodes for the provider (deploy/register-node.sh: registerNode, then a
# worker certificate for <RELEASE>-worker-N.<RELEASE>-worker, the pod's stable name) and writes
# OUT_DIR/node-N.id, node-N.token, node-N.crt, node-N.key and ca.crt; then
#   kubectl create secret generic neurogrid-worker-identities --from-file=OUT_DIR
# OUT_DIR holds node tokens and keys: keep it private, delete it once the Secret exists.
set -eu
if [ "$#" -ne 6 ]; then
  echo "usage: $0 RELEASE REPLICAS API_URL PROVIDER_TOKEN CERTS_DIR OUT_DIR" >&2
  exit 2
fi
release=$1
replicas=$2
api_url=$3
provider_token=$4
certs_dir=$5
out_dir=$6
here=$(dirname "$0")
umask 077
mkdir -p "$out_dir"
cp "$certs_dir/ca.crt" "$out_dir/ca.crt"
n=0
while [ "$n" -lt "$replicas" ]; do
  pod="$release-worker-$n"
  lines=$("$here/../register-node.sh" "$api_url" "$provider_token" "$pod" "$certs_dir" "$pod.$release-worker")
  node_id=$(printf '%s\n' "$lines" | sed -n 's/^NODE_ID=//p')
  printf '%s' "$node_id" >"$out_dir/node-$n.id"
  printf '%s\n' "$lines" | sed -n 's/^NODE_TOKEN=//p' | tr -d '\n' >"$out_dir/node-$n.token"
  cp "$certs_dir/worker-$node_id.crt" "$out_dir/node-$n.crt"
  cp "$certs_dir/worker-$node_id.key" "$out_dir/node-$n.key"
  echo "$pod: node $node_id" >&2
  n=$((n + 1))
done
