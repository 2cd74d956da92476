import type { ExecutionContext, Type } from '@nestjs/common';

/** Polar's own id of the customer (a UUID), e.g. stored by the app after creating the customer. */
export interface PolarCustomerById {
  customer_id: string;
  external_customer_id?: never;
}

/** The app's own id for the customer (Polar's `external_id`), usually the app's user id. */
export interface PolarCustomerByExternalId {
  external_customer_id: string;
  customer_id?: never;
}

/**
 * Who the signed-in customer is, as the resolver answers it: exactly one customer id, optionally
 * the team member, and the email/name used when the customer is created. Field names are Polar's
 * (snake_case), as everywhere in the module's public types.
 */
export type PolarCustomerIdentity = (PolarCustomerById | PolarCustomerByExternalId) & {
  /** Polar id of the member, for team customers (organizations with the member model). */
  member_id?: string;
  /** The app's id of the member, for team customers. */
  external_member_id?: string;
  /** Email of a customer created on demand (`portal.createCustomerIfMissing`). */
  email?: string;
  /** Name of a customer created on demand. */
  name?: string;
};

/**
 * The camelCase answer of nestjs-polar 0.1 (`{ externalCustomerId }`), still accepted.
 * @deprecated return a `PolarCustomerIdentity` (`{ external_customer_id }`).
 */
export type PolarPortalCustomer = (
  { customerId: string; externalCustomerId?: never } | { externalCustomerId: string; customerId?: never }
) & { memberId?: string; externalMemberId?: string; email?: string; name?: string };

/** What a resolver may answer: the customer, or null/undefined when nobody is signed in. */
export type PolarCustomerResolution = PolarCustomerIdentity | PolarPortalCustomer | null | undefined;

/**
 * Finds the customer of the signed-in user. Return null (or undefined) when nobody is signed in:
 * the route answers 401 and nothing is sent to Polar. Read only what your auth put on the request
 * (e.g. `request.user`), never the query, body or headers a client controls.
 */
export type PolarCustomerResolverFn = (
  request: any, // eslint-disable-line @typescript-eslint/no-explicit-any -- Express or Fastify request
  context: ExecutionContext,
) => PolarCustomerResolution | Promise<PolarCustomerResolution>;

/**
 * An injectable customer resolver. Register the class as a provider in any module of the app and it
 * is taken from there (with its dependencies); otherwise PolarModule instantiates it, and then only
 * global providers can be injected into it.
 */
export interface PolarCustomerResolver {
  /** Same contract as `PolarCustomerResolverFn`. */
  resolve(
    request: any, // eslint-disable-line @typescript-eslint/no-explicit-any -- Express or Fastify request
    context: ExecutionContext,
  ): PolarCustomerResolution | Promise<PolarCustomerResolution>;
}

/** The `customer` option: a resolver function, or an injectable class implementing `PolarCustomerResolver`. */
export type PolarCustomerResolverOption = PolarCustomerResolverFn | Type<PolarCustomerResolver>;
