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
export interface ClusterOverviewData {
  clusterOverview: {
    nodes: {
      nodeId: string;
      state: string;
      gpus: number;
      freeGpus: number;
      lastHeartbeatAt: string | null;
    }[];
    actors: { namespace: string; name: string; state: string; nodeId: string | null; gpuIds: number[] }[];
    deployments: {
      namespace: string;
      name: string;
      targetReplicas: number;
      aliveReplicas: number;
      ongoingRequests: number;
    }[];
    queue: { waiting: number; active: number; delayed: number; prioritized: number };
  };
}

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
export interface ClusterEventsData {
  clusterEvents: { kind: string; type: string; nodeId: string | null; actor: string | null; at: string };
}

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
export interface PlatformLedgerData {
  platformLedger: { balanced: boolean; totals: { kind: string; accounts: number; balance: string }[] };
}

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
interface ThresholdRow {
  nodeId: string;
  gpuIndex: number | null;
  metric: string;
  warning: number;
  critical: number;
  updatedAt: string;
}
export interface AlertThresholdsData {
  alertThresholds: ThresholdRow[];
}

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
