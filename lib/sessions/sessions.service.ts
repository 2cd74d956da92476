import { Inject, Injectable } from '@nestjs/common';
import type { models } from '@polar-sh/sdk/2026-10';
import { validatePolarInput } from '../errors/polar-input.validation.js';
import { PolarRequestRunner } from '../errors/polar-request.runner.js';
import { POLAR_CLIENT } from '../polar.constants.js';
import type { PolarClient } from '../polar.decorators.js';
import { CreateCustomerSessionDto } from './dto/create-customer-session.dto.js';

/** A customer-portal session (SDK type); `token` and `customer_portal_url` are secrets. */
export type PolarCustomerSession = models.CustomerSession;

/** Customer-portal sessions. */
@Injectable()
export class SessionsService {
  constructor(
    @Inject(POLAR_CLIENT) private readonly polar: PolarClient,
    private readonly runner: PolarRequestRunner,
  ) {}

  /**
   * Creates a portal session for a customer (by `customer_id` or `external_customer_id`). Not
   * retried. An unknown customer is a 422 `PolarUnknownCustomerException`.
   */
  async create(dto: CreateCustomerSessionDto): Promise<PolarCustomerSession> {
    const body = await validatePolarInput(CreateCustomerSessionDto, dto);
    return this.runner.write(() =>
      this.polar.customerSessions.create(
        body as models.CustomerSessionCustomerIDCreate | models.CustomerSessionCustomerExternalIDCreate,
      ),
    );
  }
}
