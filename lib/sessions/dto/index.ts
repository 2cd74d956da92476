export { CreateCustomerSessionDto, IsReturnUrl, RETURN_URL_MAX_LENGTH } from './create-customer-session.dto.js';
