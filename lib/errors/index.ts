export * from './polar.exceptions.js';
export {
  toPolarHttpException,
  classifyPolarError,
  POLAR_ERROR_TABLE,
  type PolarFailure,
  type PolarErrorContext,
} from './polar-error.mapper.js';
export { PolarExceptionFilter } from './polar-exception.filter.js';
