export { PolarAddressDto } from './address.dto.js';
export { PolarCustomerOwnerDto } from './customer-owner.dto.js';
export { CreateCustomerDto } from './create-customer.dto.js';
export { UpdateCustomerDto, UpdateCustomerByExternalIdDto } from './update-customer.dto.js';
export { EnsureCustomerDto } from './ensure-customer.dto.js';
export { ListCustomersDto, CUSTOMER_SORT_KEYS, type CustomerSortKey } from './list-customers.dto.js';
export { IsPolarMetadata, IsPolarMetadataFilter } from './polar-metadata.validator.js';
