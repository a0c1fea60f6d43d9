export { LossError, type LossErrorCode, type LossErrorContext } from './LossError.js';
export { addToState, createState, type FloatDType, finalize, type LossState, mergeInto, mergeStates } from './LossState.js';
export { type L1LossOptions, l1Loss, l1LossPartial } from './l1Loss.js';
export { type MseLossOptions, mseLoss, mseLossPartial } from './mseLoss.js';
export type { Reduction, StateReduction } from './reduction.js';
export {
  type FloatArray,
  type IntArray,
  type NestedNumbers,
  numel,
  type Tensor,
  type TensorData,
  type TensorInput,
  tensor,
} from './tensor.js';
