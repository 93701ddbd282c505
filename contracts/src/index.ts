/**
 * @neurogrid/contracts: NEURO token arithmetic (and, later, Solana settlement). Imports nothing
 * from the other NeuroGrid packages.
 */
export { ContractsError, type ContractsErrorCode, isContractsError } from "./errors.js";
export { type FeeSplit, MAX_FEE_BPS, splitFee } from "./fee-split.js";
export { formatNeuro, NEURO_DECIMALS, parseNeuro, UNITS_PER_NEURO } from "./neuro-amount.js";
