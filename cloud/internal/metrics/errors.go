package metrics

import "errors"

// Sentinel errors.
var (
	// ErrDuplicate is returned when a metric name is registered twice.
	ErrDuplicate = errors.New("metrics: duplicate metric name")
	// ErrName is returned for a metric or label name that is not valid.
	ErrName = errors.New("metrics: invalid name")
	// ErrLabels is returned when label values do not match the label names.
	ErrLabels = errors.New("metrics: wrong number of label values")
)
