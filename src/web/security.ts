import helmet from "helmet";

/**
 * Headers for every page and asset. The CSP allows only our own origin and no inline code at all:
 * the pages load /assets/* and fetch their own JSON twin, so nothing else is ever needed.
 * `upgrade-insecure-requests` is left out on purpose: the local playground is plain http.
 */
export function pageSecurity(options: { forms?: boolean } = {}) {
  return helmet({
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'none'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'"],
        imgSrc: ["'self'"],
        connectSrc: ["'self'"],
        baseUri: ["'none'"],
        // Only the demo checkout posts a form, to itself.
        formAction: [options.forms ? "'self'" : "'none'"],
        frameAncestors: ["'none'"],
      },
    },
    // Member tokens and session codes live in URLs: never send them to another site.
    referrerPolicy: { policy: "no-referrer" },
    crossOriginResourcePolicy: { policy: "same-origin" },
  });
}
