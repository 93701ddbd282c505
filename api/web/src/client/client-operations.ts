import type {
  ApiKeysQuery,
  CreateApiKeyMutation,
  LedgerEntriesQuery,
  MeQuery,
  PlaygroundModelsQuery,
  SubmitTaskMutation,
  TaskDetailQuery,
  TaskPageQuery,
  TaskProgressSubscription,
  TasksQuery,
  TaskVerificationQuery,
} from "../generated/operation-types.js";
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
export type MeData = MeQuery;

export const PLAYGROUND_MODELS = /* GraphQL */ `
  query PlaygroundModels {
    models(first: 50) {
      edges {
        node {
          id
          name
          version
          description
          kind
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
/** One declared input tensor: the shape of the elements of a model's `inputs` (a JSON field). */
export interface ModelInput {
  name: string;
  dtype?: string;
  shape?: number[];
}
export type PlaygroundModelsData = PlaygroundModelsQuery;

export const SUBMIT_TASK = /* GraphQL */ `
  mutation SubmitTask($input: SubmitTaskInput!) {
    submitTask(input: $input) {
      id
      status
      maxPrice
    }
  }
`;
export type SubmitTaskData = SubmitTaskMutation;

export const TASK_PROGRESS = /* GraphQL */ `
  subscription TaskProgress($taskId: ID!) {
    taskProgress(taskId: $taskId) {
      taskId
      status
      at
      message
      token
      tokenIndex
      verification
    }
  }
`;
export type ProgressEvent = TaskProgressSubscription["taskProgress"];
export type TaskProgressData = TaskProgressSubscription;

export const TASK_DETAIL = /* GraphQL */ `
  query TaskDetail($id: ID!) {
    task(id: $id) {
      id
      status
      error
      result
      kind
      ocr {
        width
        height
        lines {
          text
          confidence
          box {
            x0
            y0
            x1
            y1
          }
        }
      }
      vad {
        durationMs
        segments {
          startMs
          endMs
          probability
        }
      }
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
export type TaskFactsRow = TaskDetailQuery["task"];
export type TaskDetailData = TaskDetailQuery;

export const TASK_PAGE = /* GraphQL */ `
  query TaskPage($id: ID!) {
    task(id: $id) {
      id
      model
      modelVersion
      createdAt
      maxPrice
      kind
      input
    }
  }
`;
export type TaskPageData = TaskPageQuery;

export const TASK_VERIFICATION = /* GraphQL */ `
  query TaskVerification($id: ID!) {
    task(id: $id) {
      id
      verification {
        status
        checkedBy
        referee
        verdict
      }
    }
  }
`;
export type TaskVerificationData = TaskVerificationQuery;

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
export type TasksData = TasksQuery;

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
export type ApiKeysData = ApiKeysQuery;

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
export type CreateApiKeyData = CreateApiKeyMutation;

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
export type LedgerRow = LedgerEntriesQuery["ledgerEntries"]["edges"][number]["node"];
export type LedgerEntriesData = LedgerEntriesQuery;
