package cms

import "errors"

// Errors returned by the engine. Rule refusals are not errors.
var (
	ErrStore   = errors.New("cms: database")
	ErrSecrets = errors.New("cms: card secrets")

	errDuplicate = errors.New("cms: duplicate operation") // internal: rolls back a replay
)
