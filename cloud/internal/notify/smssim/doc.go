// Package smssim simulates an SMS HTTP gateway for tests, benchmarks and
// `make run`: it accepts the requests of notify.SMSGateway, records them,
// counts deliveries per ref (so a test sees a duplicate), and can fail the
// next N requests with 503 or any other status, or every request with one
// ref (FailRef).
package smssim
