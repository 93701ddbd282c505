/**
 * How the api and the dispatcher reach the cluster as a driver (auth/identity.ts in the
 * cluster package): mutual TLS with a driver certificate from the cluster CA, or on loopback a
 * driver credential token. A head that is not on loopback is reached over TLS only: without the
 * TLS files the process refuses to start rather than talk plain text across a network.
 */
import { type ClusterClientOptions, isLoopbackAddress, loadTls } from "@neurogrid/cluster";
import type { ApiConfig } from "./config.js";

type ClusterAccess = Pick<
  ApiConfig,
  "headAddress" | "clusterTlsCa" | "clusterTlsCert" | "clusterTlsKey" | "clusterCredential"
>;

export function clusterClientOptions(config: ClusterAccess): ClusterClientOptions {
  const { headAddress, clusterTlsCa, clusterTlsCert, clusterTlsKey, clusterCredential } = config;
  const files = [clusterTlsCa, clusterTlsCert, clusterTlsKey];
  const given = files.filter((file) => file !== undefined).length;
  if (given !== 0 && given !== 3)
    throw new Error("give NEUROGRID_TLS_CA, NEUROGRID_TLS_CERT and NEUROGRID_TLS_KEY together");
  if (clusterTlsCa !== undefined && clusterTlsCert !== undefined && clusterTlsKey !== undefined) {
    const tls = loadTls({ caFile: clusterTlsCa, certFile: clusterTlsCert, keyFile: clusterTlsKey });
    return { headAddress, tls };
  }
  if (!isLoopbackAddress(headAddress))
    throw new Error(
      `the head ${headAddress} is not on loopback: set NEUROGRID_TLS_CA, NEUROGRID_TLS_CERT and NEUROGRID_TLS_KEY (a driver certificate: neurogrid certs issue --role driver)`,
    );
  return { headAddress, ...(clusterCredential === undefined ? {} : { credential: clusterCredential }) };
}
