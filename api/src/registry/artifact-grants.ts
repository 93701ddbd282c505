/**
 * Which node may download an artifact: one that runs, or is being given, an actor of a model
 * whose registered artifact it is. The head's actor table says where each actor is: a replica
 * has its node from the moment it is placed (PENDING_CREATION, RESTARTING), before its process
 * starts and downloads, until it is DEAD. A replica of a model's deployment is named after the
 * deployment (`model:<name>@<version>#<n>`, or its multiplex group's `mux:<group>#<n>`), and a
 * model actor made without a deployment carries the deployment's name itself.
 *
 * Asked on every download that is not answered from a cache: downloads are rare (a replica's
 * first start on a machine) and rate limited, so one ListActors per download is cheap.
 */
import type { EntityManager } from "@mikro-orm/postgresql";
import type { ClusterClient } from "@neurogrid/cluster";
import { ActorState, type ModelManifest } from "@neurogrid/schema";
import { MODEL_NAMESPACE } from "../tasks/model-actor-spec.js";
import { servingDeploymentName } from "../tasks/model-deployments.js";

export type ActorLister = Pick<ClusterClient, "listActors">;

/** Whether `nodeId` runs, or is being given, an actor that serves the artifact `sha256`. */
export async function nodeServesArtifact(
  em: EntityManager,
  cluster: ActorLister,
  nodeId: string,
  sha256: string,
): Promise<boolean> {
  const models = await em.execute<{ manifest: ModelManifest }[]>(
    "select manifest from models where sha256 = ?",
    [sha256],
  );
  if (models.length === 0) return false;
  const names = new Set(models.map((m) => servingDeploymentName(m.manifest)));
  const actors = await cluster.listActors(MODEL_NAMESPACE);
  return actors.some(
    (a) => a.nodeId === nodeId && a.state !== ActorState.DEAD && names.has(a.name.replace(/#\d+$/, "")),
  );
}
