/**
 * @neurogrid/contracts/testing: an in-process chain (LiteSVM behind SolanaRpc), fault injection
 * and payout fixtures, for this package's tests and the api's. Never imported by production code:
 * litesvm is a development dependency.
 */
export { FaultyRpc, type RpcOperation, type SendFault, SimulatedCrash } from "./solana/faulty-rpc.js";
export { BLOCKHASH_VALID_BLOCKS, LiteSvmRpc } from "./solana/litesvm-rpc.js";
export { type ChainFixture, createChainFixture, NO_WAIT } from "./testing/chain-fixture.js";
export {
  createDepositChain,
  fundedWallet,
  otherMint,
  payTransferRequest,
} from "./testing/deposit-fixture.js";
export { FinalityGate } from "./testing/finality-gate.js";
export {
  balancesOf,
  batchFor,
  lookupTablesFor,
  prepareRecipients,
  randomWallets,
} from "./testing/payout-fixture.js";
