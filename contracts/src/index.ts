/**
 * @neurogrid/contracts: everything that touches the chain. NEURO amount arithmetic, the NEURO SPL
 * token, wallet-ownership proofs, batched payout transactions that never pay twice, and
 * reconciliation — over the SolanaRpc interface. Imports nothing from the other NeuroGrid
 * packages. In-process chain (LiteSVM), fault injection and fixtures for tests live in the
 * "./testing" entry.
 */

export {
  encodeTransferRequest,
  newReference,
  parseTransferRequest,
  type TransferRequest,
} from "./deposits/transfer-request.js";
export {
  type DepositTarget,
  type IncomingTransfer,
  type RequestCheck,
  type RequestRejection,
  readIncomingTransfer,
  validateRequestPayment,
} from "./deposits/validate-transfer.js";
export { ContractsError, type ContractsErrorCode, describeError, isContractsError } from "./errors.js";
export { type FeeSplit, MAX_FEE_BPS, splitFee } from "./fee-split.js";
export { formatNeuro, NEURO_DECIMALS, parseNeuro, UNITS_PER_NEURO } from "./neuro-amount.js";
export {
  type AttemptSettlement,
  type AttemptState,
  InMemoryAttemptStore,
  type NewPayoutAttempt,
  type PayoutAttempt,
  type PayoutAttemptStore,
} from "./payouts/attempt-store.js";
export { DEFAULT_HOT_WALLET_CAP_UNITS, type TopUp, topUpHotWallet } from "./payouts/hot-wallet.js";
export { type PackedTransaction, type PackInput, packPayouts } from "./payouts/pack-payouts.js";
export {
  batchIdOfMemo,
  isValidBatchId,
  PAYOUT_MEMO_PREFIX,
  type PayoutBatch,
  type PayoutItem,
  payoutMemo,
  type RejectedPayout,
  type ValidPayout,
  validatePayouts,
} from "./payouts/payout-batch.js";
export {
  type BatchSettlement,
  type PayoutOutcome,
  PayoutSender,
  type PayoutSenderEvent,
  type PayoutSenderOptions,
} from "./payouts/payout-sender.js";
export {
  InMemoryLookupTableStore,
  LOOKUP_TABLE_CAPACITY,
  type LookupTableStore,
  type LookupTablesOptions,
  RecipientLookupTables,
} from "./payouts/recipient-lookup-tables.js";
export {
  type ConfirmedPayout,
  type ReconcileDifference,
  type ReconcileInput,
  type ReconcileReport,
  reconcilePayouts,
} from "./payouts/reconcile.js";
export { tokenAccountStates } from "./payouts/token-account-states.js";
export {
  MAX_ACCOUNT_LOCKS,
  MAX_INSTRUCTION_TRACE,
  MAX_TRANSACTION_BYTES,
  type TokenAccountState,
} from "./payouts/transaction-limits.js";
export { isWalletAddress, parseAddress } from "./solana/address.js";
export {
  type ConfirmOptions,
  confirmSignedTransaction,
  type SentTransaction,
  sendInstructions,
} from "./solana/send-and-confirm.js";
export type {
  ChainAccount,
  ChainTransaction,
  ConfirmationStatus,
  LatestBlockhash,
  SignatureInfo,
  SignatureStatus,
  SolanaRpc,
  TokenBalanceChange,
} from "./solana/solana-rpc.js";
export { Web3Rpc, type Web3RpcOptions } from "./solana/web3-rpc.js";
export {
  createNeuroMint,
  getNeuroBalance,
  getTokenAccountBalances,
  MAX_TOKEN_AMOUNT,
  type MintInfo,
  mintNeuro,
  readNeuroMint,
  tokenAccountOf,
} from "./token/neuro-token.js";
export { loadTreasuryKey, TreasuryKey } from "./token/treasury-key.js";
export {
  buildSignInMessage,
  generateNonce,
  parseSignInMessage,
  type SignInFields,
} from "./wallet/sign-in-message.js";
export {
  createWalletChallenge,
  DEFAULT_CHALLENGE_TTL_MS,
  DEFAULT_CLOCK_SKEW_MS,
  type VerifiedWalletProof,
  type VerifyWalletProofInput,
  verifyWalletProof,
  type WalletChallenge,
  type WalletChallengeOptions,
} from "./wallet/wallet-proof.js";
