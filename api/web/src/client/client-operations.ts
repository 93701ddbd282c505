/**
 * The client view's GraphQL operations. Every document marked GraphQL in this folder is
 * validated against the committed SDL by api/src/dashboard/dashboard-operations.test.ts, so a
 * schema change that breaks the dashboard fails CI.
 */
export const ME = /* GraphQL */ `
  query Me {
    me {
      id
      name
      role
      balance {
        available
        held
        earnings
      }
    }
  }
`;
export interface MeData {
  me: {
    id: string;
    name: string;
    role: string;
    balance: { available: string; held: string; earnings: string };
  };
}

export const PLAYGROUND_MODELS = /* GraphQL */ `
  query PlaygroundModels {
    models(first: 50) {
      edges {
        node {
          id
          name
          version
          description
          inputs
          pricePerCall
          pricing {
            unit
            maxUnits
          }
        }
      }
    }
  }
`;
export interface ModelInput {
  name: string;
  dtype?: string;
  shape?: number[];
}
interface PlaygroundModel {
  id: string;
  name: string;
  version: string;
  description: string;
  inputs: ModelInput[];
  pricePerCall: string;
  /** unit "output_token": a streaming language model, given a prompt rather than tensors. */
  pricing: { unit: string; maxUnits: number };
}
export interface PlaygroundModelsData {
  models: { edges: { node: PlaygroundModel }[] };
}

export const SUBMIT_TASK = /* GraphQL */ `
  mutation SubmitTask($input: SubmitTaskInput!) {
    submitTask(input: $input) {
      id
      status
      maxPrice
    }
  }
`;
export interface SubmitTaskData {
  submitTask: { id: string; status: string; maxPrice: string };
}

export const TASK_PROGRESS = /* GraphQL */ `
  subscription TaskProgress($taskId: ID!) {
    taskProgress(taskId: $taskId) {
      taskId
      status
      at
      message
      token
      tokenIndex
    }
  }
`;
export interface ProgressEvent {
  taskId: string;
  status: string;
  at: string;
  message: string | null;
  /** A streaming model's token (status RUNNING), live subscribers only. */
  token: string | null;
  tokenIndex: number | null;
}
export interface TaskProgressData {
  taskProgress: ProgressEvent;
}

export const TASK_DETAIL = /* GraphQL */ `
  query TaskDetail($id: ID!) {
    task(id: $id) {
      id
      status
      error
      result
      executionProvider
      nodeId
      latencyMs
      cost {
        total
        platformFee
        providerEarning
        units
      }
    }
  }
`;
export interface TaskFactsRow {
  id: string;
  status: string;
  error: string | null;
  result: Record<string, unknown> | null;
  executionProvider: string | null;
  nodeId: string | null;
  latencyMs: number | null;
  cost: { total: string; platformFee: string; providerEarning: string; units: string } | null;
}
export interface TaskDetailData {
  task: TaskFactsRow;
}

export const TASK_PAGE = /* GraphQL */ `
  query TaskPage($id: ID!) {
    task(id: $id) {
      id
      model
      modelVersion
      createdAt
      maxPrice
    }
  }
`;
export interface TaskPageData {
  task: { id: string; model: string; modelVersion: string; createdAt: string; maxPrice: string };
}

export const TASKS = /* GraphQL */ `
  query Tasks($first: Int, $after: String, $filter: TaskFilter) {
    tasks(first: $first, after: $after, filter: $filter) {
      totalCount
      edges {
        cursor
        node {
          id
          model
          status
          createdAt
          cost {
            total
          }
        }
      }
      pageInfo {
        hasNextPage
        endCursor
      }
    }
  }
`;
export interface TasksData {
  tasks: {
    totalCount: number;
    edges: {
      cursor: string;
      node: { id: string; model: string; status: string; createdAt: string; cost: { total: string } | null };
    }[];
    pageInfo: { hasNextPage: boolean; endCursor: string | null };
  };
}

export const API_KEYS = /* GraphQL */ `
  query ApiKeys {
    apiKeys(first: 50) {
      edges {
        node {
          id
          label
          prefix
          scopes
          createdAt
          lastUsedAt
          revokedAt
        }
      }
    }
  }
`;
interface ApiKeyRow {
  id: string;
  label: string;
  prefix: string;
  scopes: string[];
  createdAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
}
export interface ApiKeysData {
  apiKeys: { edges: { node: ApiKeyRow }[] };
}

export const CREATE_API_KEY = /* GraphQL */ `
  mutation CreateApiKey($input: CreateApiKeyInput!) {
    createApiKey(input: $input) {
      key
      apiKey {
        id
        label
        prefix
        scopes
        createdAt
        lastUsedAt
        revokedAt
      }
    }
  }
`;
export interface CreateApiKeyData {
  createApiKey: { key: string; apiKey: ApiKeyRow };
}

export const REVOKE_API_KEY = /* GraphQL */ `
  mutation RevokeApiKey($id: ID!) {
    revokeApiKey(id: $id) {
      id
      revokedAt
    }
  }
`;

export const LEDGER_ENTRIES = /* GraphQL */ `
  query LedgerEntries($first: Int, $after: String) {
    ledgerEntries(first: $first, after: $after) {
      edges {
        node {
          id
          createdAt
          movement
          accountKind
          amount
          memo
          taskId
        }
      }
      pageInfo {
        hasNextPage
        endCursor
      }
    }
  }
`;
export interface LedgerRow {
  id: string;
  createdAt: string;
  movement: string;
  accountKind: string;
  amount: string;
  memo: string;
  taskId: string | null;
}
export interface LedgerEntriesData {
  ledgerEntries: {
    edges: { node: LedgerRow }[];
    pageInfo: { hasNextPage: boolean; endCursor: string | null };
  };
}
