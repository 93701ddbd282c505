import type {
  GpuAlertsSubscription,
  GpuMetricsQuery,
  GpuTelemetrySubscription,
  LinkWalletMutation,
  NodeStatusSubscription,
  ProviderAlertsQuery,
  ProviderMeQuery,
  ProviderNodesQuery,
  ProviderPayoutsQuery,
  WalletChallengeMutation,
} from "../generated/operation-types.js";
/** The provider view's GraphQL operations (validated against the SDL like the client view's). */
export const PROVIDER_ME = /* GraphQL */ `
  query ProviderMe {
    me {
      id
      balance {
        available
        earnings
        pending
      }
    }
    wallet {
      address
      linkedAt
    }
  }
`;
export type ProviderMeData = ProviderMeQuery;

export const NODES = /* GraphQL */ `
  query ProviderNodes {
    nodes(first: 100) {
      totalCount
      edges {
        node {
          id
          name
          state
          lastHeartbeatAt
        }
      }
    }
  }
`;
export type NodeRow = ProviderNodesQuery["nodes"]["edges"][number]["node"];
export type NodesData = ProviderNodesQuery;

export const NODE_STATUS = /* GraphQL */ `
  subscription NodeStatus {
    nodeStatus {
      nodeId
      state
      type
      at
    }
  }
`;
export type NodeStatusData = NodeStatusSubscription;

export const GPU_TELEMETRY = /* GraphQL */ `
  subscription GpuTelemetry($nodeId: ID) {
    gpuTelemetry(nodeId: $nodeId) {
      nodeId
      at
      status
      gpus {
        index
        name
        temperatureC
        utilizationPct
        memoryUsedMb
        memoryTotalMb
        powerDrawW
        powerLimitW
      }
    }
  }
`;
export type GpuNow = TelemetryEvent["gpus"][number];
export type TelemetryEvent = GpuTelemetrySubscription["gpuTelemetry"];
export type GpuTelemetryData = GpuTelemetrySubscription;

export const GPU_METRICS = /* GraphQL */ `
  query GpuMetrics($nodeId: ID!, $gpu: Int!, $from: DateTimeISO!, $step: Int!) {
    gpuMetrics(nodeId: $nodeId, gpu: $gpu, from: $from, step: $step) {
      at
      temperatureC
      utilizationPct
      memoryUsedMb
      memoryTotalMb
      powerDrawW
      powerLimitW
    }
  }
`;
export type GpuMetricsData = GpuMetricsQuery;

export const ALERTS = /* GraphQL */ `
  query ProviderAlerts {
    alerts(limit: 50) {
      id
      nodeId
      gpuIndex
      metric
      level
      value
      threshold
      startedAt
      resolvedAt
      acknowledgedAt
    }
  }
`;
export type AlertRow = ProviderAlertsQuery["alerts"][number];
export type AlertsData = ProviderAlertsQuery;

export const GPU_ALERTS = /* GraphQL */ `
  subscription GpuAlerts {
    gpuAlerts {
      change
      alert {
        id
        nodeId
        gpuIndex
        metric
        level
        value
        threshold
        startedAt
        resolvedAt
        acknowledgedAt
      }
    }
  }
`;
export type GpuAlertsData = GpuAlertsSubscription;

export const ACKNOWLEDGE_ALERT = /* GraphQL */ `
  mutation AcknowledgeAlert($id: ID!) {
    acknowledgeAlert(id: $id) {
      id
      acknowledgedAt
    }
  }
`;

export const WALLET_CHALLENGE = /* GraphQL */ `
  mutation WalletChallenge($address: String!) {
    walletChallenge(address: $address) {
      message
    }
  }
`;
export type WalletChallengeData = WalletChallengeMutation;

export const LINK_WALLET = /* GraphQL */ `
  mutation LinkWallet($message: String!, $signature: String!) {
    linkWallet(message: $message, signature: $signature) {
      address
      linkedAt
    }
  }
`;
export type LinkWalletData = LinkWalletMutation;

export const PAYOUTS = /* GraphQL */ `
  query ProviderPayouts {
    payouts(first: 20) {
      edges {
        node {
          id
          amount
          status
          wallet
          signature
          createdAt
          settledAt
        }
      }
    }
  }
`;
export type PayoutsData = ProviderPayoutsQuery;

export const PAYOUT_STATUS = /* GraphQL */ `
  subscription PayoutStatus {
    payoutStatus {
      payoutId
      status
    }
  }
`;

export const PROVIDER_WORKLOADS = /* GraphQL */ `
  query ProviderWorkloads {
    providerWorkloads {
      nodeIds
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
        aliveOnYourNodes
        nodeIds
      }
    }
  }
`;
