import { useEffect, useState } from "react";
import { type OperationResult, useClient } from "urql";
import { type FaultRow, NODE_FAULTS, type NodeFaultsData } from "./reputation-operations.js";

/** Faults listed at most, newest first over all the provider's nodes. */
const FAULTS_LISTED = 50;

export interface ListedFault {
  nodeId: string;
  fault: FaultRow;
}

/**
 * The provider's nodes' faults, newest first, read a page of nodes at a time (NODE_FAULTS) and
 * read again whenever `tick` changes (from 1 on). `faults` is undefined until the first read ends.
 */
export function useNodeFaults(tick: number): {
  faults: ListedFault[] | undefined;
  error: string | undefined;
} {
  const client = useClient();
  // The read of each tick, kept unless a later tick's read has already been shown.
  const [shown, setShown] = useState<{ tick: number; faults?: ListedFault[]; error?: string }>({ tick: -1 });
  useEffect(() => {
    if (tick === 0) return; // nothing asked for yet
    let stopped = false;
    async function readAll(): Promise<ListedFault[]> {
      const all: ListedFault[] = [];
      let after: string | null = null;
      do {
        const res: OperationResult<NodeFaultsData> = await client
          .query<NodeFaultsData>(NODE_FAULTS, { after }, { requestPolicy: "network-only" })
          .toPromise();
        if (res.error) throw res.error;
        const page: NodeFaultsData["nodes"] | undefined = res.data?.nodes;
        for (const edge of page?.edges ?? []) {
          for (const fault of edge.node.faults) all.push({ nodeId: edge.node.id, fault });
        }
        after = page?.pageInfo.hasNextPage ? page.pageInfo.endCursor : null;
      } while (after);
      return all.sort((a, b) => b.fault.at.localeCompare(a.fault.at)).slice(0, FAULTS_LISTED);
    }
    readAll().then(
      (faults) => {
        if (!stopped) setShown((s) => (s.tick > tick ? s : { tick, faults }));
      },
      (err: Error) => {
        if (!stopped) setShown((s) => (s.tick > tick ? s : { ...s, tick, error: err.message }));
      },
    );
    return () => {
      stopped = true;
    };
  }, [client, tick]);
  return { faults: shown.faults, error: shown.error };
}
