import type { NodeFaultsQuery, ProviderReputationQuery } from "../generated/operation-types.js";

/**
 * The reputation card's scores: the provider's, and each of its nodes' (with its quarantine), for
 * its first 50 nodes: the API's query cost grows with `first` times the fields asked, and 100
 * nodes with a score and a quarantine each is over its limit.
 */
export const PROVIDER_REPUTATION = /* GraphQL */ `
  query ProviderReputation {
    me {
      id
      reputation {
        score
        agreed
        faults
      }
    }
    nodes(first: 50) {
      edges {
        node {
          id
          reputation {
            score
            agreed
            faults
          }
          quarantine {
            since
            reason
          }
        }
      }
    }
  }
`;
export type ProviderReputationData = ProviderReputationQuery;

/**
 * Its nodes' faults with their evidence, a page of nodes at a time: deep enough that a page of
 * 25 nodes stays well under the API's query cost limit.
 */
export const NODE_FAULTS = /* GraphQL */ `
  query NodeFaults($after: String) {
    nodes(first: 25, after: $after) {
      pageInfo {
        hasNextPage
        endCursor
      }
      edges {
        node {
          id
          faults {
            taskId
            kind
            detail
            at
            evidence {
              taskNode
              taskResult
              checkedBy
              checkResult
              referee
              refereeResult
            }
          }
        }
      }
    }
  }
`;
export type NodeFaultsData = NodeFaultsQuery;
export type FaultRow = NodeFaultsQuery["nodes"]["edges"][number]["node"]["faults"][number];
