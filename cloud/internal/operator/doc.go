// Package operator is the registry of supervising operators and counters
// and the check of operator sessions (OPAUTH in the CMS procedures).
//
// An operator is registered by codice fiscale with a role, the menus
// (operation types, e.g. "op.activation", or "*") and the counters ("*" for
// all) they are enabled for. The challenge/response that proves an operator
// holds their card lives elsewhere (package opauth); it ends by calling
// [Registry.CreateSession], which grants a short session bound to one
// device. [Check] is what the CMS engine asks before every operation: the
// operator is registered and enabled, enabled for the counter and the menu,
// and (when sessions are required) the session belongs to the operator, is
// bound to the sending device and valid at the operation's time.
//
// Counters (sportelli) and their capabilities ("reissue") are kept here
// too, because the operator check and the reissue rule read them together.
package operator
