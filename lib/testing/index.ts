export { PolarEmulator } from './polar-emulator.js';
export { PolarEmulatorBilling } from './billing/billing.control.js';
export type {
  PolarEmulatorLicenseKey,
  PolarEmulatorPriceSeed,
  PolarEmulatorProductSeed,
  PolarEmulatorPurchase,
  PolarEmulatorPurchaseResult,
} from './billing/billing.control.js';
export type {
  PolarEmulatorAddress,
  PolarEmulatorCustomer,
  PolarEmulatorCustomerSeed,
  PolarEmulatorFaultScope,
  PolarEmulatorFaults,
  PolarEmulatorMember,
  PolarEmulatorMemberSeed,
  PolarEmulatorMetadata,
  PolarEmulatorOptions,
  PolarEmulatorRateLimit,
  PolarEmulatorWebhookDelivery,
  PolarEmulatorWebhookScheme,
  PolarEmulatorWebhookTarget,
  RecordedRequest,
} from './emulator.types.js';
