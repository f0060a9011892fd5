package fse

import "errors"

// Errors a Service returns, and errors of the worker.
var (
	// ErrCF: the regional service says "codice fiscale errato o mancante".
	ErrCF = errors.New("fse: codice fiscale errato o mancante")
	// ErrTechnical: any failure that does not depend on the codice fiscale.
	ErrTechnical = errors.New("fse: technical error")
	// ErrConfig: the worker options are not usable.
	ErrConfig = errors.New("fse: invalid configuration")
	// ErrStatus: a list asked for a status that does not exist.
	ErrStatus = errors.New("fse: invalid request status")
	// ErrCursor: a list page cursor that is not one List returned.
	ErrCursor = errors.New("fse: invalid page cursor")
)
