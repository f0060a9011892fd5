// Package fsesim simulates the regional FSE service for tests and for
// `make run`: it implements fse.Service in process and serves the JSON
// protocol of fse.HTTPService, with injectable faults per codice fiscale
// (CF error, N technical errors then success, always technical, latency)
// and an optional latency for every call.
package fsesim
