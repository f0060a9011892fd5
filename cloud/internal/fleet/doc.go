// Package fleet is the cloud's registry of kiosks: who they are, which
// client certificates they hold, whether they are online, how their
// hardware is, which configuration they should run and which commands they
// were sent.
//
// # Identity and admission
//
// A device id is the Common Name of its client certificate (package pki).
// [Fleet.Provision] registers the device, issues its certificate and records
// the serial. [Fleet.Admit] is what the broker asks on every connection: the
// serial must be recorded for that CN and not revoked, and a device must be
// registered and enabled. [Fleet.Disable] takes effect at once: the next
// connection is refused and a [Kicker] (the embedded broker) drops the
// current one; an external broker is kept in step by the fleet CRL
// ([Fleet.CRLEntries]), which cmsd signs again when [Fleet.CRLChanged] says
// this instance changed it. [Fleet.Enabled], asked by ingest for every message, answers
// from a view of the whole fleet loaded in one statement at most every
// two seconds (view.go), which this instance's own changes update at once.
//
// # Presence and health
//
// Kiosks publish wire.State on cms/v1/dev/{dev}/state as a heartbeat, and
// leave a retained last will with Online false. [Fleet.ObserveState] keeps the
// latest values on the device row and appends a health row when they change
// or every [HealthEvery] (see [Fleet.History]); [Fleet.PruneHealth] drops
// rows older than [HealthKeep]. A device that says it is online but has not
// been heard for StaleAfter is shown as stale. A disabled device is shown
// as disabled, whatever it last said: ingest drops its messages, its last
// will too. A state may also name a config the kiosk refused, and why.
//
// # Who changed what
//
// [Fleet.SetConfig] keeps every config stored in a history
// ([Fleet.ConfigHistory]) and [Fleet.SendCommand] the sender of a command,
// both taken from the context ([WithActor]).
//
// # Configuration and commands
//
// [Fleet.SetConfig] stores a desired wire.Config with the next version
// (monotonic per device) and publishes it retained on the config topic; the
// kiosk reports the version it applied in its state. [Fleet.SendCommand]
// records a wire.Command with an expiry and publishes it; the result comes
// back on cmd/res ([Fleet.CommandResult]).
//
// The contract is the architecture document's wire contract and security
// model; docs/fleet.md describes the API for the console.
package fleet
