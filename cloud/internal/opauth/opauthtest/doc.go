// Package opauthtest makes operator certificate authorities and operator
// cards (certificate and RSA key, as a TS-CNS carries them) for the tests
// of operator authentication ([cnskiosk.dev/cloud/internal/opauth]) and of
// what is built on it. Never use it in production.
package opauthtest
