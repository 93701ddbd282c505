/**
 * The deposit panel's GraphQL operations (validated against the committed SDL by
 * api/src/dashboard/dashboard-operations.test.ts).
 */
export const DEPOSIT_REQUEST = /* GraphQL */ `
  mutation DepositRequest($amount: TokenAmount!) {
    depositRequest(amount: $amount) {
      id
      url
      reference
      amount
      expiresAt
      qrCode
      status
    }
  }
`;
export interface DepositRequestData {
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

export const DEPOSIT_STATUS = /* GraphQL */ `
  subscription DepositStatus($reference: String!) {
    depositStatus(reference: $reference) {
      requestId
      status
      amount
      signature
      at
    }
  }
`;
export interface DepositStatusEvent {
  requestId: string;
  status: string;
  amount: string;
  signature: string | null;
  at: string;
}
export interface DepositStatusData {
  depositStatus: DepositStatusEvent;
}
