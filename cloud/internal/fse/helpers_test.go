package fse_test

import (
	"errors"
	"net/http/httptest"
	"testing"

	"cnskiosk.dev/cloud/internal/fse/fsesim"
)

func newServer(t *testing.T, sim *fsesim.Sim) string {
	srv := httptest.NewServer(sim)
	t.Cleanup(srv.Close)
	return srv.URL
}

func errorsIs(err, target error) bool { return errors.Is(err, target) }
