#!/bin/sh
# Registers a worker node for a deployment and issues its certificate, in one step:
#   deploy/register-node.sh API_URL PROVIDER_TOKEN NAME CERTS_DIR HOST...
# API_URL is the api's GraphQL endpoint (http://localhost:4000/graphql), PROVIDER_TOKEN a
# provider's access token or API key (scope nodes:write), NAME the node's name, CERTS_DIR the
# directory of `neurogrid certs init` (it holds the CA key), HOST the names the worker is
# reached at (its certificate names them). It calls registerNode (the api makes the node id,
# NAME-<hex>, and its token, shown once), then `neurogrid certs issue CERTS_DIR --role worker
# --node-id ID --host HOST...`, and prints two lines for the worker's environment:
#   NODE_ID=...
#   NODE_TOKEN=...
# NEUROGRID names the CLI to run (default: neurogrid).
set -eu
if [ "$#" -lt 5 ]; then
  echo "usage: $0 API_URL PROVIDER_TOKEN NAME CERTS_DIR HOST..." >&2
  exit 2
fi
api_url=$1
provider_token=$2
name=$3
certs_dir=$4
shift 4
registered=$(node --input-type=module -e '
const [url, token, name] = process.argv.slice(1);
const res = await fetch(url, {
  method: "POST",
  headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
  body: JSON.stringify({
    query: "mutation($input: RegisterNodeInput!) { registerNode(input: $input) { node { id } nodeToken } }",
    variables: { input: { name } },
  }),
}).catch((err) => {
  console.error(`cannot reach ${url}: ${err.message}`);
  process.exit(1);
});
const body = await res.json().catch(() => ({}));
const r = body.data?.registerNode;
if (!r) {
  console.error(`registerNode failed: ${body.errors?.[0]?.message ?? `HTTP ${res.status}`}`);
  process.exit(1);
}
console.log(`${r.node.id} ${r.nodeToken}`);
' "$api_url" "$provider_token" "$name")
node_id=${registered%% *}
node_token=${registered#* }
host_args=""
for host in "$@"; do host_args="$host_args --host $host"; done
# shellcheck disable=SC2086 # NEUROGRID may be a command with arguments; host names have no spaces
${NEUROGRID:-neurogrid} certs issue "$certs_dir" --role worker --node-id "$node_id" $host_args >&2
printf 'NODE_ID=%s\nNODE_TOKEN=%s\n' "$node_id" "$node_token"
