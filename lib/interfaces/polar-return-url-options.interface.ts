/** Where a route may send the user back to: the options the portal and the checkout share. */
export interface PolarReturnUrlOptions {
  /**
   * Where Polar links back to when the request has no `return_url`: a path of the app
   * (`/account`, resolved against the app origin) or an absolute http(s) URL.
   * @default undefined (no link back)
   */
  defaultReturnUrl?: string;
  /**
   * The app's public origin (`https://app.example.com`): relative return paths resolve against it,
   * and absolute return URLs on it are accepted. Without it, relative paths resolve against the
   * origin the HTTP adapter reports for the request (set `trust proxy` behind a proxy).
   * @default undefined (the request's own origin)
   */
  appOrigin?: string;
  /**
   * Other origins a `return_url` query parameter may point at, exactly (`https://shop.example.com`;
   * no wildcards, no paths).
   * @default []
   */
  allowedReturnOrigins?: string[];
}

/** The return-URL options validated and normalised (part of each route's resolved config). */
export interface PolarReturnUrlSettings {
  /** An absolute URL, normalised (a path is resolved here when `appOrigin` is set), or a path resolved per request. */
  defaultReturnUrl: string | undefined;
  /** What the return-URL policy checks against: the app origin and the other allowed origins, normalised. */
  returnUrlPolicy: { appOrigin?: string; allowedOrigins: ReadonlySet<string> };
}
