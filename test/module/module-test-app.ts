import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  type INestApplication,
  Param,
  Patch,
  Post,
  Query,
  UseFilters,
} from '@nestjs/common';
import {
  CustomerLifecycle,
  CustomersService,
  type DeleteCustomerOptions,
  type ListCustomersDto,
  type PolarCustomerDeletedEvent,
  PolarExceptionFilter,
  SessionsService,
} from '../../lib/index.js';
import type { PolarEmulator } from '../../lib/testing/index.js';
import { type ModuleForm, polarTestApp } from '../support/polar-app.js';

/** The three ways of configuring the module that every module suite runs through. */
export const SETUPS = [
  'forRoot',
  'forRootAsync(useFactory + ConfigService)',
  'forRootAsync(useClass)',
] as const satisfies readonly ModuleForm[];
export type Setup = (typeof SETUPS)[number];

/** What a test may change from the defaults. */
export interface AppOverrides {
  accessToken?: string;
  timeoutMs?: number;
  readRetries?: number;
  fastify?: boolean;
}

/** Every deletion the app heard of, through `CustomerLifecycle.onDeleted`. */
export const deletedEvents: PolarCustomerDeletedEvent[] = [];

const toNumber = (value: string | undefined): number | undefined => (value === undefined ? undefined : Number(value));

/** Exposes every service method over HTTP, the way an app's own controller would. */
@Controller()
@UseFilters(PolarExceptionFilter)
class BillingTestController {
  constructor(
    private readonly customers: CustomersService,
    private readonly sessions: SessionsService,
    lifecycle: CustomerLifecycle,
  ) {
    lifecycle.onDeleted((event) => {
      deletedEvents.push(event);
    });
  }

  @Post('customers')
  create(@Body() body: never) {
    return this.customers.create(body);
  }

  @Post('customers/ensure')
  @HttpCode(200)
  ensure(@Body() body: never) {
    return this.customers.ensure(body);
  }

  @Get('customers')
  list(@Query() query: Record<string, string | string[]>) {
    return this.customers.list(listQuery(query));
  }

  @Get('all-customers')
  async all(@Query() query: Record<string, string | string[]>) {
    const items = [];
    for await (const customer of this.customers.iterate(listQuery(query))) items.push(customer);
    return items;
  }

  @Get('customers/:id')
  get(@Param('id') id: string) {
    return this.customers.get(id);
  }

  @Get('customers/:id/state')
  state(@Param('id') id: string) {
    return this.customers.getState(id);
  }

  @Patch('customers/:id')
  update(@Param('id') id: string, @Body() body: never) {
    return this.customers.update(id, body);
  }

  @Delete('customers/:id')
  @HttpCode(204)
  remove(@Param('id') id: string, @Query('anonymize') anonymize?: string) {
    return this.customers.delete(id, deleteOptions(anonymize));
  }

  @Get('external-customers/:externalId')
  getExternal(@Param('externalId') externalId: string) {
    return this.customers.getByExternalId(externalId);
  }

  @Get('external-customers/:externalId/state')
  stateExternal(@Param('externalId') externalId: string) {
    return this.customers.getStateByExternalId(externalId);
  }

  @Patch('external-customers/:externalId')
  updateExternal(@Param('externalId') externalId: string, @Body() body: never) {
    return this.customers.updateByExternalId(externalId, body);
  }

  @Delete('external-customers/:externalId')
  @HttpCode(204)
  removeExternal(@Param('externalId') externalId: string, @Query('anonymize') anonymize?: string) {
    return this.customers.deleteByExternalId(externalId, deleteOptions(anonymize));
  }

  @Post('sessions')
  session(@Body() body: never) {
    return this.sessions.create(body);
  }
}

/** `?anonymize=true|…` → the delete options; no parameter leaves the option unset. */
function deleteOptions(anonymize: string | undefined): DeleteCustomerOptions {
  return anonymize === undefined ? {} : { anonymize: anonymize === 'true' };
}

function listQuery(query: Record<string, string | string[]>): ListCustomersDto {
  const { page, limit, ...rest } = query as Record<string, string>;
  const result: Record<string, unknown> = { ...rest };
  if (page !== undefined) result.page = toNumber(page);
  if (limit !== undefined) result.limit = toNumber(limit);
  return result as ListCustomersDto;
}

/** Builds and starts a Nest app wired to the emulator through `setup`, its services behind BillingTestController. */
export async function createModuleTestApp(
  setup: Setup,
  polar: PolarEmulator,
  overrides: AppOverrides = {},
): Promise<INestApplication> {
  const { app } = await polarTestApp()
    .on(overrides.fastify ? 'fastify' : 'express')
    .form(setup)
    .api(polar)
    .options({
      ...(overrides.accessToken !== undefined ? { accessToken: overrides.accessToken } : {}),
      timeoutMs: overrides.timeoutMs ?? 2_000,
      readRetries: overrides.readRetries ?? 2,
    })
    .portal(false)
    .controllers(BillingTestController)
    .start();
  return app;
}
