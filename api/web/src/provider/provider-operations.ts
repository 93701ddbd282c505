/** The provider view's GraphQL operations (validated against the SDL like the client view's). */
export const PROVIDER_ME = /* GraphQL */ `
  query ProviderMe {
    me {
      id
      balance {
        available
        earnings
      }
    }
    wallet {
      address
      linkedAt
    }
  }
`;
export interface ProviderMeData {
  me: { id: string; balance: { available: string; earnings: string } };
  wallet: { address: string; linkedAt: string } | null;
}

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
export interface NodeRow {
  id: string;
  name: string;
  state: string;
  lastHeartbeatAt: string | null;
}
export interface NodesData {
  nodes: { totalCount: number; edges: { node: NodeRow }[] };
}

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
export interface NodeStatusData {
  nodeStatus: { nodeId: string; state: string; type: string; at: string };
}

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
export interface GpuNow {
  index: number;
  name: string;
  temperatureC: number | null;
  utilizationPct: number | null;
  memoryUsedMb: number | null;
  memoryTotalMb: number | null;
  powerDrawW: number | null;
  powerLimitW: number | null;
}
export interface TelemetryEvent {
  nodeId: string;
  at: string;
  status: string;
  gpus: GpuNow[];
}
export interface GpuTelemetryData {
  gpuTelemetry: TelemetryEvent;
}

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
interface MetricPoint {
  at: string;
  temperatureC: number | null;
  utilizationPct: number | null;
  memoryUsedMb: number | null;
  memoryTotalMb: number | null;
  powerDrawW: number | null;
  powerLimitW: number | null;
}
export interface GpuMetricsData {
  gpuMetrics: MetricPoint[];
}

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
export interface AlertRow {
  id: string;
  nodeId: string;
  gpuIndex: number;
  metric: string;
  level: string;
  value: number;
  threshold: number;
  startedAt: string;
  resolvedAt: string | null;
  acknowledgedAt: string | null;
}
export interface AlertsData {
  alerts: AlertRow[];
}

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
export interface GpuAlertsData {
  gpuAlerts: { change: string; alert: AlertRow };
}

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
export interface WalletChallengeData {
  walletChallenge: { message: string };
}

export const LINK_WALLET = /* GraphQL */ `
  mutation LinkWallet($message: String!, $signature: String!) {
    linkWallet(message: $message, signature: $signature) {
      address
      linkedAt
    }
  }
`;
export interface LinkWalletData {
  linkWallet: { address: string; linkedAt: string };
}

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
export interface PayoutsData {
  payouts: {
    edges: {
      node: {
        id: string;
        amount: string;
        status: string;
        wallet: string;
        signature: string | null;
        createdAt: string;
        settledAt: string | null;
      };
    }[];
  };
}

export const PAYOUT_STATUS = /* GraphQL */ `
  subscription PayoutStatus {
    payoutStatus {
      payoutId
      status
    }
  }
`;
