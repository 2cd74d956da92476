export { polarConfig, readPolarEnv, PolarEnvironmentVariables } from './polar.config.js';
