import { randomUUID } from 'node:crypto';
import { metadataProblem } from '../customers/dto/polar-metadata.validator.js';
import { assertPolarParam, UUID4 } from '../errors/polar-input.validation.js';
import type {
  PolarUsageEvent,
  PolarUsageInput,
  PolarUsageMetadata,
} from '../interfaces/polar-usage-options.interface.js';
import { USAGE_NAME_MAX_LENGTH } from './usage.constants.js';

const NO_METADATA: PolarUsageMetadata = Object.freeze({}) as PolarUsageMetadata;

/**
 * Checks what `record()` was given against Polar's rules for an ingested event and builds the
 * event that is buffered and sent, with a fresh `external_id` and the time of the call. Bad input
 * throws a `PolarInputException` (400) naming the field and the rule; nothing is buffered then.
 */
export function toUsageEvent(input: PolarUsageInput): PolarUsageEvent {
  const given = (typeof input === 'object' && input !== null ? input : {}) as Partial<PolarUsageInput>;
  const { name, customer, metadata } = given;
  const who = (typeof customer === 'object' && customer !== null ? customer : {}) as Record<string, unknown>;
  const customerId = who.customer_id;
  const externalId = who.external_customer_id;
  // The request path: cheap checks first; the wording of a failure is built only when one fails.
  const valid =
    isCleanString(name) &&
    name.trim() !== '' &&
    name.length <= USAGE_NAME_MAX_LENGTH &&
    (customerId === undefined
      ? isCleanString(externalId) && externalId.trim() !== ''
      : externalId === undefined && typeof customerId === 'string' && UUID4.test(customerId));
  const problem = metadata === undefined ? undefined : metadataProblem(metadata, 'metadata');
  if (!valid || problem !== undefined) throwFirstProblem(name, customer, customerId, externalId, metadata, problem);
  return {
    external_id: nextExternalId(),
    name: name as string,
    // Both keys, one undefined: one object shape for every event (no spread on the request path).
    customer_id: customerId as string | undefined,
    external_customer_id: externalId as string | undefined,
    // A copy: what was checked is what is sent, whatever the caller does with its object later.
    metadata: metadata === undefined ? NO_METADATA : { ...metadata },
    timestamp: isoNow(),
  };
}

/** `String.prototype.isWellFormed` (Node 20+), not in the project's TS lib. */
type WellFormed = string & { isWellFormed(): boolean };

/** A string without NUL characters or lone surrogates (which Polar would refuse or mangle). */
function isCleanString(value: unknown): value is string {
  return typeof value === 'string' && !value.includes('\u0000') && (value as WellFormed).isWellFormed();
}

/**
 * A random 122-bit prefix per process, then a counter: unique across processes and restarts like a
 * UUID per event, at a fraction of its cost on the request path (`randomUUID()` per call was the
 * largest part of `record()`).
 */
const PROCESS_PREFIX = randomUUID();
let sequence = 0;
function nextExternalId(): string {
  return `${PROCESS_PREFIX}.${(sequence++).toString(36)}`;
}

let lastMs = 0;
let lastIso = '';
/** The current time in ISO 8601, formatted once per millisecond (many events share one). */
function isoNow(): string {
  const now = Date.now();
  if (now !== lastMs) {
    lastMs = now;
    lastIso = new Date(now).toISOString();
  }
  return lastIso;
}

/** Throws the `PolarInputException` naming the first field that breaks its rule. */
function throwFirstProblem(
  name: unknown,
  customer: unknown,
  customerId: unknown,
  externalId: unknown,
  metadata: unknown,
  metadataIssue: string | undefined,
): never {
  assertPolarParam(
    'name',
    name,
    'isEventName',
    `name must be a string of 1 to ${USAGE_NAME_MAX_LENGTH} characters`,
    typeof name === 'string' && name.trim() !== '' && name.length <= USAGE_NAME_MAX_LENGTH,
  );
  assertPolarParam(
    'customer',
    customer,
    'isOneCustomer',
    'customer must be an object with exactly one of customer_id or external_customer_id',
    (customerId === undefined) !== (externalId === undefined),
  );
  if (customerId !== undefined) {
    assertPolarParam(
      'customer.customer_id',
      customerId,
      'isUuid4',
      'customer.customer_id must be a version-4 UUID',
      typeof customerId === 'string' && UUID4.test(customerId),
    );
  } else {
    assertPolarParam(
      'customer.external_customer_id',
      externalId,
      'isNotEmptyString',
      'customer.external_customer_id must be a non-empty string',
      typeof externalId === 'string' && externalId.trim() !== '',
    );
  }
  assertPolarParam('metadata', metadata, 'isPolarMetadata', metadataIssue ?? '', metadataIssue === undefined);
  // Unreachable: the cheap checks failed, so one of the rules above did too.
  throw new Error('usage event input failed a check without a named rule');
}

/** What `events.ingest` is sent for one buffered event (Polar's field names, nothing else). */
export function toIngestEvent(event: PolarUsageEvent) {
  const { external_id, name, metadata, timestamp } = event;
  return event.customer_id !== undefined
    ? { external_id, name, metadata, timestamp, customer_id: event.customer_id }
    : { external_id, name, metadata, timestamp, external_customer_id: event.external_customer_id as string };
}
