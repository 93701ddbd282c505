/** The operations of the admin's accounts, money and webhooks pages (validated against the SDL). */
export const ACCOUNTS = /* GraphQL */ `
  query Accounts($search: String, $first: Int, $after: String) {
    accounts(search: $search, first: $first, after: $after) {
      totalCount
      edges {
        node {
          id
          name
          email
          role
          createdAt
          balance {
            available
            held
            earnings
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

export const MONEY_NEEDING_ATTENTION = /* GraphQL */ `
  query MoneyNeedingAttention($stuckAfterMinutes: Int!) {
    moneyNeedingAttention(stuckAfterMinutes: $stuckAfterMinutes) {
      kind
      id
      accountId
      accountName
      amount
      status
      reason
      signature
      error
      createdAt
    }
    unmatchedDeposits(limit: 100) {
      signature
      amount
      sender
      reason
      seenAt
    }
  }
`;

export const ADMIN_PAYOUT_STATUS = /* GraphQL */ `
  subscription AdminPayoutStatus {
    payoutStatus {
      payoutId
      status
    }
  }
`;

export const ALERT_WEBHOOKS = /* GraphQL */ `
  query AlertWebhooks {
    alertWebhooks {
      id
      url
      createdAt
    }
    alertWebhookRetries(limit: 50) {
      deliveryId
      webhookId
      event
      nextAttempt
      dueAt
    }
    alertWebhookDeliveries(limit: 50) {
      deliveryId
      webhookId
      event
      attempt
      ok
      statusCode
      error
      durationMs
      at
    }
  }
`;

export const ADD_ALERT_WEBHOOK = /* GraphQL */ `
  mutation AddAlertWebhook($url: String!) {
    addAlertWebhook(input: { url: $url }) {
      secret
      webhook {
        id
        url
      }
    }
  }
`;

export const REMOVE_ALERT_WEBHOOK = /* GraphQL */ `
  mutation RemoveAlertWebhook($id: ID!) {
    removeAlertWebhook(id: $id)
  }
`;

export const WEBHOOK_ALERT_CHANGES = /* GraphQL */ `
  subscription WebhookAlertChanges {
    gpuAlerts {
      change
      alert {
        id
      }
    }
  }
`;
