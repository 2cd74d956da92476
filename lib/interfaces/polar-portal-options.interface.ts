/** Options of the customer-portal route (owned by lib/portal). */
export interface PolarPortalOptions {
  /**
   * Route path. In `forRootAsync` the route shape is fixed when the module is defined: give
   * `portal: { path }` (or `portal: false`) at the top level of the async options.
   * @default 'billing/portal'
   */
  path?: string;
}
