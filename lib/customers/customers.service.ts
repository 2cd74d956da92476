import { Inject, Injectable } from '@nestjs/common';
import type { models } from '@polar-sh/sdk/2026-10';
import {
  PolarConflictException,
  PolarDuplicateCustomerException,
  PolarNotFoundException,
} from '../errors/polar.exceptions.js';
import {
  assertExternalId,
  assertPolarParam,
  assertUuid4,
  validatePolarInput,
} from '../errors/polar-input.validation.js';
import { PolarRequestRunner } from '../errors/polar-request.runner.js';
import { POLAR_CLIENT } from '../polar.constants.js';
import { POLAR_MESSAGES } from '../polar.messages.js';
import type { PolarClient } from '../polar.decorators.js';
import { CustomerLifecycle } from './customer-lifecycle.js';
import { CreateCustomerDto } from './dto/create-customer.dto.js';
import { EnsureCustomerDto } from './dto/ensure-customer.dto.js';
import { ListCustomersDto } from './dto/list-customers.dto.js';
import { UpdateCustomerByExternalIdDto, UpdateCustomerDto } from './dto/update-customer.dto.js';

/** A Polar customer (SDK type). */
export type PolarCustomer = models.Customer;
/** A customer with its active subscriptions, granted benefits and meters (SDK type). */
export type PolarCustomerState = models.CustomerState;
/** One page of customers. */
export type PolarCustomerPage = models.ListResourceCustomer;

/** Options of a deletion. */
export interface DeleteCustomerOptions {
  /** Also anonymize the customer's personal data (GDPR). @default false */
  anonymize?: boolean;
}

/**
 * Polar customers: CRUD, listing, state, and `ensure()` (get-or-create by external id). Inputs are
 * checked before any request (400 `PolarInputException`); Polar's failures arrive as the
 * `PolarException` subclasses of the error table.
 */
@Injectable()
export class CustomersService {
  /** In-flight `ensure()` per external id: parallel callers in this process share one round trip. */
  private readonly ensuring = new Map<string, Promise<PolarCustomer>>();

  constructor(
    @Inject(POLAR_CLIENT) private readonly polar: PolarClient,
    private readonly runner: PolarRequestRunner,
    private readonly lifecycle: CustomerLifecycle,
  ) {}

  /** Creates a customer (individual needs `email`; team needs `email` or `owner`). Not retried. */
  async create(dto: CreateCustomerDto | models.CustomerCreate): Promise<PolarCustomer> {
    const body = await validatePolarInput(CreateCustomerDto, dto);
    return this.runner.write(() => this.polar.customers.create(body as models.CustomerCreate));
  }

  /** The customer with this Polar id (404 if unknown or deleted). */
  async get(id: string): Promise<PolarCustomer> {
    assertUuid4('id', id);
    return this.runner.read(() => this.polar.customers.get(id));
  }

  /** The customer with this external id (404 if none). */
  async getByExternalId(externalId: string): Promise<PolarCustomer> {
    assertExternalId('externalId', externalId);
    return this.runner.read(() => this.polar.customers.getExternal(externalId));
  }

  /** Updates a customer by Polar id. Not retried. */
  async update(id: string, dto: UpdateCustomerDto | models.CustomerUpdate): Promise<PolarCustomer> {
    assertUuid4('id', id);
    const body = await validatePolarInput(UpdateCustomerDto, dto);
    return this.runner.write(() => this.polar.customers.update(id, body as models.CustomerUpdate));
  }

  /** Updates a customer by external id (the external id itself cannot change). Not retried. */
  async updateByExternalId(
    externalId: string,
    dto: UpdateCustomerByExternalIdDto | models.CustomerUpdateExternalID,
  ): Promise<PolarCustomer> {
    assertExternalId('externalId', externalId);
    const body = await validatePolarInput(UpdateCustomerByExternalIdDto, dto);
    return this.runner.write(() =>
      this.polar.customers.updateExternal(externalId, body as models.CustomerUpdateExternalID),
    );
  }

  /** Deletes (soft) a customer by Polar id and notifies `CustomerLifecycle` listeners. */
  async delete(id: string, options: DeleteCustomerOptions = {}): Promise<void> {
    assertUuid4('id', id);
    const query = deleteQuery(options);
    await this.runner.write(() => this.polar.customers.delete(id, query));
    this.lifecycle.notifyDeleted({ customer_id: id });
  }

  /** Deletes (soft) a customer by external id and notifies `CustomerLifecycle` listeners. */
  async deleteByExternalId(externalId: string, options: DeleteCustomerOptions = {}): Promise<void> {
    assertExternalId('externalId', externalId);
    const query = deleteQuery(options);
    await this.runner.write(() => this.polar.customers.deleteExternal(externalId, query));
    this.lifecycle.notifyDeleted({ external_customer_id: externalId });
  }

  /** One page of customers: `{ items, pagination: { total_count, max_page } }`. */
  async list(query: ListCustomersDto = {}): Promise<PolarCustomerPage> {
    const checked = await validatePolarInput(ListCustomersDto, query);
    return this.runner.read(() => this.polar.customers.list(toSdkQuery(checked)));
  }

  /** Every customer matching the query, page after page (each page fetched lazily, reads retried). */
  async *iterate(query: ListCustomersDto = {}): AsyncIterable<PolarCustomer> {
    const checked = await validatePolarInput(ListCustomersDto, query);
    let page = checked.page ?? 1;
    for (;;) {
      const current = page;
      const result = await this.runner.read(() => this.polar.customers.list(toSdkQuery({ ...checked, page: current })));
      yield* result.items;
      if (page >= result.pagination.max_page || result.items.length === 0) return;
      page++;
    }
  }

  /** The customer's state (active subscriptions, granted benefits, meters) by Polar id. */
  async getState(id: string): Promise<PolarCustomerState> {
    assertUuid4('id', id);
    return this.runner.read(() => this.polar.customers.getState(id));
  }

  /** The customer's state by external id. */
  async getStateByExternalId(externalId: string): Promise<PolarCustomerState> {
    assertExternalId('externalId', externalId);
    return this.runner.read(() => this.polar.customers.getStateExternal(externalId));
  }

  /**
   * The customer for your user, created if missing: one request when it exists. Concurrent calls
   * for one external id share a single lookup in this process; a race with another process ends
   * in Polar's 422 duplicate, which is reconciled by fetching the winner. An existing customer is
   * returned as is: `ensure()` never updates it and never changes an external id.
   * @throws PolarDuplicateCustomerException (422) when the email belongs to another customer.
   */
  async ensure(dto: EnsureCustomerDto): Promise<PolarCustomer> {
    const input = await validatePolarInput(EnsureCustomerDto, dto);
    const pending = this.ensuring.get(input.external_id);
    if (pending) return pending;
    const flight = this.findOrCreate(input).finally(() => this.ensuring.delete(input.external_id));
    this.ensuring.set(input.external_id, flight);
    return flight;
  }

  private async findOrCreate(input: EnsureCustomerDto): Promise<PolarCustomer> {
    try {
      return await this.runner.read(() => this.polar.customers.getExternal(input.external_id));
    } catch (error) {
      if (!(error instanceof PolarNotFoundException)) throw error;
    }
    const body: models.CustomerIndividualCreate = { external_id: input.external_id, email: input.email };
    if (input.name != null) body.name = input.name;
    if (input.metadata !== undefined) body.metadata = input.metadata;
    try {
      return await this.runner.write(() => this.polar.customers.create(body));
    } catch (error) {
      if (!(error instanceof PolarDuplicateCustomerException)) throw error;
      if (!error.fields.includes('external_id')) {
        throw new PolarDuplicateCustomerException(
          error.fields,
          error.details,
          POLAR_MESSAGES.duplicateEmailOtherExternalId,
          {
            cause: error.cause,
          },
        );
      }
      return this.reconcile(input.external_id, error);
    }
  }

  /** Another caller created this external id first: theirs is the customer (one read, not a retry). */
  private async reconcile(externalId: string, duplicate: PolarDuplicateCustomerException): Promise<PolarCustomer> {
    try {
      return await this.runner.read(() => this.polar.customers.getExternal(externalId));
    } catch (error) {
      if (error instanceof PolarNotFoundException) {
        throw new PolarConflictException(POLAR_MESSAGES.reconcileLost, { cause: duplicate });
      }
      throw error;
    }
  }
}

function deleteQuery(options: DeleteCustomerOptions): { anonymize?: boolean } {
  const anonymize: unknown = options?.anonymize;
  assertPolarParam(
    'anonymize',
    anonymize,
    'isBoolean',
    'anonymize must be a boolean',
    anonymize === undefined || typeof anonymize === 'boolean',
  );
  return anonymize ? { anonymize: true } : {};
}

function toSdkQuery(query: ListCustomersDto): Parameters<PolarClient['customers']['list']>[0] {
  const { sorting, ...rest } = query;
  return {
    ...rest,
    ...(sorting === undefined ? {} : { sorting: Array.isArray(sorting) ? sorting : [sorting] }),
  };
}
