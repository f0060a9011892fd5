// Package metrics is a tiny registry of Prometheus metrics written in the
// text exposition format 0.0.4, with no dependency beyond the standard library.
//
// # Metrics
//
// Counter, CounterVec, Gauge, GaugeVec and Histogram are safe for concurrent use.
// A Registry holds them by name; its Handler serves GET /metrics.
//
// # Format
//
// https://prometheus.io/docs/instrumenting/exposition_formats/ : one # HELP and
// one # TYPE line per family, then samples sorted by label values; histograms
// write cumulative _bucket{le="..."} samples, _sum and _count.
package metrics
