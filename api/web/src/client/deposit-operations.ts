import type { DepositRequestMutation, DepositStatusSubscription } from "../generated/operation-types.js";
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
export type DepositRequestData = DepositRequestMutation;

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
export type DepositStatusEvent = DepositStatusSubscription["depositStatus"];
export type DepositStatusData = DepositStatusSubscription;
