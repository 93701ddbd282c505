import type {
  AlertThresholdsQuery,
  ClusterEventsSubscription,
  ClusterOverviewQuery,
  PlatformLedgerQuery,
} from "../generated/operation-types.js";
/** The admin view's GraphQL operations (validated against the SDL like the others). */
export const CLUSTER_OVERVIEW = /* GraphQL */ `
  query ClusterOverview {
    clusterOverview {
      nodes {
        nodeId
        state
        gpus
        freeGpus
        lastHeartbeatAt
      }
      actors {
        namespace
        name
        state
        nodeId
        gpuIds
      }
      deployments {
        namespace
        name
        targetReplicas
        aliveReplicas
        ongoingRequests
      }
      queue {
        waiting
        active
        delayed
        prioritized
      }
    }
  }
`;
export type ClusterOverviewData = ClusterOverviewQuery;

export const CLUSTER_EVENTS = /* GraphQL */ `
  subscription ClusterEvents {
    clusterEvents {
      kind
      type
      nodeId
      actor
      at
    }
  }
`;
export type ClusterEventsData = ClusterEventsSubscription;

export const PLATFORM_LEDGER = /* GraphQL */ `
  query PlatformLedger {
    platformLedger {
      balanced
      totals {
        kind
        accounts
        balance
      }
    }
  }
`;
export type PlatformLedgerData = PlatformLedgerQuery;

export const ALERT_THRESHOLDS = /* GraphQL */ `
  query AlertThresholds {
    alertThresholds {
      nodeId
      gpuIndex
      metric
      warning
      critical
      updatedAt
    }
  }
`;
export type AlertThresholdsData = AlertThresholdsQuery;

export const SET_ALERT_THRESHOLD = /* GraphQL */ `
  mutation SetAlertThreshold($input: SetAlertThresholdInput!) {
    setAlertThreshold(input: $input) {
      nodeId
      gpuIndex
      metric
      warning
      critical
      updatedAt
    }
  }
`;

export const REMOVE_ALERT_THRESHOLD = /* GraphQL */ `
  mutation RemoveAlertThreshold($input: AlertThresholdKey!) {
    removeAlertThreshold(input: $input)
  }
`;
