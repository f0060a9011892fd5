// Package web is the console of the CMS: server-rendered pages for admins,
// supervisors and auditors, a JSON API under /api/v1 with its OpenAPI 3
// document, and /healthz. /metrics (Prometheus text format) is on the
// console only when Options.MetricsElsewhere is false (tests, a console run
// alone); cmsd sets it and serves /metrics on its own --metrics-listen
// address.
//
// # API errors
//
// An API error is {"code", "error"}: a stable machine code and the same
// Italian sentence a page shows for that kind of error (explain); the
// internal error is logged only, with a request id the body gives for 500
// and 503.
//
// # Pages
//
// Fleet list with filters -> device detail (health history, versioned
// config edit, commands); operations search; help-desk queues L1/L2 with
// status changes and tasks; FSE requests; audit chain verification. The UI
// is Italian and follows the Italian public administration design system
// (bootstrap-italia, embedded, no CDN) and WCAG 2.1 AA: lang="it", a skip
// link, landmarks, labelled fields, visible focus.
//
// # Security
//
// Accounts and sessions come from package account (argon2id, session id
// hashed at rest). Cookies are HttpOnly, SameSite=Strict, Secure over TLS.
// Every state-changing request passes http.CrossOriginProtection (Fetch
// metadata / Origin) and must carry the session's CSRF token (hidden form
// field "csrf" or header X-CSRF-Token). Roles are checked per route with
// account.Role.Can. Templates are html/template, so every value is escaped;
// pages render to a buffer before anything is written.
//
// # Fleet
//
// The fleet pages call the small [Fleet] interface, implemented by
// cloud/internal/fleet.Fleet.
package web
