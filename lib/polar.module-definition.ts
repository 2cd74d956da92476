import { ConfigurableModuleBuilder } from '@nestjs/common';
import type { PolarModuleOptions } from './interfaces/polar-module-options.interface.js';

/** The ConfigurableModuleBuilder parts of PolarModule (options token `POLAR_MODULE_OPTIONS`: the raw options). */
export const {
  ConfigurableModuleClass: PolarConfigurableModuleClass,
  MODULE_OPTIONS_TOKEN: POLAR_MODULE_OPTIONS,
  OPTIONS_TYPE: POLAR_OPTIONS_TYPE,
  ASYNC_OPTIONS_TYPE: POLAR_ASYNC_OPTIONS_TYPE,
} = new ConfigurableModuleBuilder<PolarModuleOptions>({ moduleName: 'Polar' })
  .setClassMethodName('forRoot')
  .setFactoryMethodName('createPolarOptions')
  .setExtras({ isGlobal: false }, (definition, extras) => ({ ...definition, global: extras.isGlobal }))
  .build();
