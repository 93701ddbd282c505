// Generated from schema/graphql/schema.graphql and the operations in api/web/src by
// api/src/dashboard/operation-types.ts (`npm run sdl` writes it, `npm run check:sdl` checks it). Do not edit.

export interface AccountsQuery {
  accounts: {
    totalCount: number;
    edges: Array<{
      node: {
        id: string;
        name: string;
        email: string | null;
        role: string;
        createdAt: string;
        balance: {
          available: string;
          held: string;
          earnings: string;
        };
      };
    }>;
    pageInfo: {
      hasNextPage: boolean;
      endCursor: string | null;
    };
  };
}

export interface AccountsVariables {
  search?: string | null;
  first?: number | null;
  after?: string | null;
}

export interface AcknowledgeAlertMutation {
  acknowledgeAlert: {
    id: string;
    acknowledgedAt: string | null;
  };
}

export interface AcknowledgeAlertVariables {
  id: string;
}

export interface AddAlertWebhookMutation {
  addAlertWebhook: {
    secret: string;
    webhook: {
      id: string;
      url: string;
    };
  };
}

export interface AddAlertWebhookVariables {
  url: string;
}

export interface AdminPayoutStatusSubscription {
  payoutStatus: {
    payoutId: string;
    status: string;
  };
}

export interface AlertThresholdsQuery {
  alertThresholds: Array<{
    nodeId: string;
    gpuIndex: number | null;
    metric: string;
    warning: number;
    critical: number;
    updatedAt: string;
  }>;
}

export interface AlertWebhooksQuery {
  alertWebhooks: Array<{
    id: string;
    url: string;
    createdAt: string;
  }>;
  alertWebhookRetries: Array<{
    deliveryId: string;
    webhookId: string;
    event: string;
    nextAttempt: number;
    dueAt: string;
  }>;
  alertWebhookDeliveries: Array<{
    deliveryId: string;
    webhookId: string;
    event: string;
    attempt: number;
    ok: boolean;
    statusCode: number | null;
    error: string | null;
    durationMs: number;
    at: string;
  }>;
}

export interface ApiKeysQuery {
  apiKeys: {
    edges: Array<{
      node: {
        id: string;
        label: string;
        prefix: string;
        scopes: Array<string>;
        createdAt: string;
        lastUsedAt: string | null;
        revokedAt: string | null;
      };
    }>;
  };
}

export interface ClusterEventsSubscription {
  clusterEvents: {
    kind: string;
    type: string;
    nodeId: string | null;
    actor: string | null;
    at: string;
  };
}

export interface ClusterOverviewQuery {
  clusterOverview: {
    nodes: Array<{
      nodeId: string;
      state: string;
      gpus: number;
      freeGpus: number;
      lastHeartbeatAt: string | null;
    }>;
    actors: Array<{
      namespace: string;
      name: string;
      state: string;
      nodeId: string | null;
      gpuIds: Array<number>;
    }>;
    deployments: Array<{
      namespace: string;
      name: string;
      targetReplicas: number;
      aliveReplicas: number;
      ongoingRequests: number;
    }>;
    queue: {
      waiting: number;
      active: number;
      delayed: number;
      prioritized: number;
    };
  };
}

export interface CreateApiKeyMutation {
  createApiKey: {
    key: string;
    apiKey: {
      id: string;
      label: string;
      prefix: string;
      scopes: Array<string>;
      createdAt: string;
      lastUsedAt: string | null;
      revokedAt: string | null;
    };
  };
}

export interface CreateApiKeyVariables {
  input: {
    label?: string | null;
    scopes?: Array<string> | null;
  };
}

export interface DepositRequestMutation {
  depositRequest: {
    id: string;
    url: string;
    reference: string;
    amount: string;
    expiresAt: string;
    qrCode: string;
    status: string;
  };
}

export interface DepositRequestVariables {
  amount: string;
}

export interface DepositStatusSubscription {
  depositStatus: {
    requestId: string;
    status: string;
    amount: string;
    signature: string | null;
    at: string;
  };
}

export interface DepositStatusVariables {
  reference: string;
}

export interface GpuAlertsSubscription {
  gpuAlerts: {
    change: string;
    alert: {
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
    };
  };
}

export interface GpuMetricsQuery {
  gpuMetrics: Array<{
    at: string;
    temperatureC: number | null;
    utilizationPct: number | null;
    memoryUsedMb: number | null;
    memoryTotalMb: number | null;
    powerDrawW: number | null;
    powerLimitW: number | null;
  }>;
}

export interface GpuMetricsVariables {
  nodeId: string;
  gpu: number;
  from: string;
  step: number;
}

export interface GpuTelemetrySubscription {
  gpuTelemetry: {
    nodeId: string;
    at: string;
    status: string;
    gpus: Array<{
      index: number;
      name: string;
      temperatureC: number | null;
      utilizationPct: number | null;
      memoryUsedMb: number | null;
      memoryTotalMb: number | null;
      powerDrawW: number | null;
      powerLimitW: number | null;
    }>;
  };
}

export interface GpuTelemetryVariables {
  nodeId?: string | null;
}

export interface LedgerEntriesQuery {
  ledgerEntries: {
    edges: Array<{
      node: {
        id: string;
        createdAt: string;
        movement: string;
        accountKind: string;
        amount: string;
        memo: string;
        taskId: string | null;
      };
    }>;
    pageInfo: {
      hasNextPage: boolean;
      endCursor: string | null;
    };
  };
}

export interface LedgerEntriesVariables {
  first?: number | null;
  after?: string | null;
}

export interface LinkWalletMutation {
  linkWallet: {
    address: string;
    linkedAt: string;
  };
}

export interface LinkWalletVariables {
  message: string;
  signature: string;
}

export interface MeQuery {
  me: {
    id: string;
    name: string;
    role: string;
    balance: {
      available: string;
      held: string;
      earnings: string;
    };
  };
}

export interface MoneyNeedingAttentionQuery {
  moneyNeedingAttention: Array<{
    kind: string;
    id: string;
    accountId: string;
    accountName: string;
    amount: string;
    status: string;
    reason: string;
    signature: string | null;
    error: string | null;
    createdAt: string;
  }>;
  unmatchedDeposits: Array<{
    signature: string;
    amount: string;
    sender: string | null;
    reason: string | null;
    seenAt: string;
  }>;
}

export interface MoneyNeedingAttentionVariables {
  stuckAfterMinutes: number;
}

export interface NodeFaultsQuery {
  nodes: {
    pageInfo: {
      hasNextPage: boolean;
      endCursor: string | null;
    };
    edges: Array<{
      node: {
        id: string;
        faults: Array<{
          taskId: string | null;
          kind: string;
          detail: string;
          at: string;
          evidence: {
            taskNode: string | null;
            taskResult: unknown | null;
            checkedBy: string | null;
            checkResult: unknown | null;
            referee: string | null;
            refereeResult: unknown | null;
          } | null;
        }>;
      };
    }>;
  };
}

export interface NodeFaultsVariables {
  after?: string | null;
}

export interface NodeStatusSubscription {
  nodeStatus: {
    nodeId: string;
    state: string;
    type: string;
    at: string;
  };
}

export interface PayoutStatusSubscription {
  payoutStatus: {
    payoutId: string;
    status: string;
  };
}

export interface PlatformLedgerQuery {
  platformLedger: {
    balanced: boolean;
    totals: Array<{
      kind: string;
      accounts: number;
      balance: string;
    }>;
  };
}

export interface PlaygroundModelsQuery {
  models: {
    edges: Array<{
      node: {
        id: string;
        name: string;
        version: string;
        description: string;
        kind: "GENERATE" | "OCR" | "TENSOR" | "VAD";
        inputs: unknown;
        pricePerCall: string;
        pricing: {
          unit: string;
          maxUnits: number;
        };
      };
    }>;
  };
}

export interface ProviderAlertsQuery {
  alerts: Array<{
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
  }>;
}

export interface ProviderMeQuery {
  me: {
    id: string;
    balance: {
      available: string;
      earnings: string;
      pending: string;
    };
  };
  wallet: {
    address: string;
    linkedAt: string;
  } | null;
}

export interface ProviderNodesQuery {
  nodes: {
    totalCount: number;
    edges: Array<{
      node: {
        id: string;
        name: string;
        state: string;
        lastHeartbeatAt: string | null;
      };
    }>;
  };
}

export interface ProviderPayoutsQuery {
  payouts: {
    edges: Array<{
      node: {
        id: string;
        amount: string;
        status: string;
        wallet: string;
        signature: string | null;
        createdAt: string;
        settledAt: string | null;
      };
    }>;
  };
}

export interface ProviderReputationQuery {
  me: {
    id: string;
    reputation: {
      score: number;
      agreed: number;
      faults: number;
    } | null;
  };
  nodes: {
    edges: Array<{
      node: {
        id: string;
        reputation: {
          score: number;
          agreed: number;
          faults: number;
        };
        quarantine: {
          since: string;
          reason: string;
        } | null;
      };
    }>;
  };
}

export interface ProviderWorkloadsQuery {
  providerWorkloads: {
    nodeIds: Array<string>;
    actors: Array<{
      namespace: string;
      name: string;
      state: string;
      nodeId: string | null;
      gpuIds: Array<number>;
    }>;
    deployments: Array<{
      namespace: string;
      name: string;
      targetReplicas: number;
      aliveReplicas: number;
      aliveOnYourNodes: number;
      nodeIds: Array<string>;
    }>;
  };
}

export interface RemoveAlertThresholdMutation {
  removeAlertThreshold: boolean;
}

export interface RemoveAlertThresholdVariables {
  input: {
    gpuIndex?: number | null;
    metric: string;
    nodeId: string;
  };
}

export interface RemoveAlertWebhookMutation {
  removeAlertWebhook: boolean;
}

export interface RemoveAlertWebhookVariables {
  id: string;
}

export interface RevokeApiKeyMutation {
  revokeApiKey: {
    id: string;
    revokedAt: string | null;
  };
}

export interface RevokeApiKeyVariables {
  id: string;
}

export interface SetAlertThresholdMutation {
  setAlertThreshold: {
    nodeId: string;
    gpuIndex: number | null;
    metric: string;
    warning: number;
    critical: number;
    updatedAt: string;
  };
}

export interface SetAlertThresholdVariables {
  input: {
    critical: number;
    gpuIndex?: number | null;
    metric: string;
    nodeId: string;
    warning: number;
  };
}

export interface SubmitTaskMutation {
  submitTask: {
    id: string;
    status: "CANCELLED" | "COMPLETED" | "FAILED" | "QUEUED" | "RUNNING" | "SCHEDULED";
    maxPrice: string;
  };
}

export interface SubmitTaskVariables {
  input: {
    idempotencyKey?: string | null;
    input: Record<string, unknown>;
    model: string;
    priority?: number | null;
    verify?: boolean | null;
    version?: string | null;
  };
}

export interface TaskDetailQuery {
  task: {
    id: string;
    status: "CANCELLED" | "COMPLETED" | "FAILED" | "QUEUED" | "RUNNING" | "SCHEDULED";
    error: string | null;
    result: Record<string, unknown> | null;
    kind: "GENERATE" | "OCR" | "TENSOR" | "VAD";
    ocr: {
      width: number;
      height: number;
      lines: Array<{
        text: string;
        confidence: number;
        box: {
          x0: number;
          y0: number;
          x1: number;
          y1: number;
        };
      }>;
    } | null;
    vad: {
      durationMs: number;
      segments: Array<{
        startMs: number;
        endMs: number;
        probability: number;
      }>;
    } | null;
    executionProvider: string | null;
    nodeId: string | null;
    latencyMs: number | null;
    cost: {
      total: string;
      platformFee: string;
      providerEarning: string;
      units: string;
    } | null;
  };
}

export interface TaskDetailVariables {
  id: string;
}

export interface TaskPageQuery {
  task: {
    id: string;
    model: string;
    modelVersion: string;
    createdAt: string;
    maxPrice: string;
    kind: "GENERATE" | "OCR" | "TENSOR" | "VAD";
    input: Record<string, unknown>;
  };
}

export interface TaskPageVariables {
  id: string;
}

export interface TaskProgressSubscription {
  taskProgress: {
    taskId: string;
    status: "CANCELLED" | "COMPLETED" | "FAILED" | "QUEUED" | "RUNNING" | "SCHEDULED";
    at: string;
    message: string | null;
    token: string | null;
    tokenIndex: number | null;
    verification: "DISPUTED" | "RESOLVED" | "SAMPLED" | "UNCHECKED" | "VERIFIED" | null;
  };
}

export interface TaskProgressVariables {
  taskId: string;
}

export interface TasksQuery {
  tasks: {
    totalCount: number;
    edges: Array<{
      cursor: string;
      node: {
        id: string;
        model: string;
        status: "CANCELLED" | "COMPLETED" | "FAILED" | "QUEUED" | "RUNNING" | "SCHEDULED";
        createdAt: string;
        cost: {
          total: string;
        } | null;
      };
    }>;
    pageInfo: {
      hasNextPage: boolean;
      endCursor: string | null;
    };
  };
}

export interface TasksVariables {
  first?: number | null;
  after?: string | null;
  filter?: {
    accountId?: string | null;
    model?: string | null;
    status?: Array<"CANCELLED" | "COMPLETED" | "FAILED" | "QUEUED" | "RUNNING" | "SCHEDULED"> | null;
  } | null;
}

export interface TaskVerificationQuery {
  task: {
    id: string;
    verification: {
      status: "DISPUTED" | "RESOLVED" | "SAMPLED" | "UNCHECKED" | "VERIFIED";
      checkedBy: string | null;
      referee: string | null;
      verdict: string | null;
    };
  };
}

export interface TaskVerificationVariables {
  id: string;
}

export interface WalletChallengeMutation {
  walletChallenge: {
    message: string;
  };
}

export interface WalletChallengeVariables {
  address: string;
}

export interface WebhookAlertChangesSubscription {
  gpuAlerts: {
    change: string;
    alert: {
      id: string;
    };
  };
}
