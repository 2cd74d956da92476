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
  assertPolarParam(
    'name',
    name,
    'isEventName',
    `name must be a string of 1 to ${USAGE_NAME_MAX_LENGTH} characters`,
    typeof name === 'string' && name.trim() !== '' && name.length <= USAGE_NAME_MAX_LENGTH,
  );
  const who = (typeof customer === 'object' && customer !== null ? customer : {}) as Record<string, unknown>;
  const customerId = who.customer_id;
  const externalId = who.external_customer_id;
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
  let copied = NO_METADATA;
  if (metadata !== undefined) {
    const problem = metadataProblem(metadata, 'metadata');
    assertPolarParam('metadata', metadata, 'isPolarMetadata', problem ?? '', problem === undefined);
    // A copy: what was checked is what is sent, whatever the caller does with its object later.
    copied = { ...metadata };
  }
  return {
    external_id: randomUUID(),
    name: name as string,
    ...(customerId !== undefined
      ? { customer_id: customerId as string }
      : { external_customer_id: externalId as string }),
    metadata: copied,
    timestamp: new Date().toISOString(),
  };
}

/** What `events.ingest` is sent for one buffered event (Polar's field names, nothing else). */
export function toIngestEvent(event: PolarUsageEvent) {
  const { external_id, name, metadata, timestamp } = event;
  return event.customer_id !== undefined
    ? { external_id, name, metadata, timestamp, customer_id: event.customer_id }
    : { external_id, name, metadata, timestamp, external_customer_id: event.external_customer_id as string };
}
