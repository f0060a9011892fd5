package fse_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"cnskiosk.dev/cloud/internal/fse"
)

// answer is what the fuzzed regional service replies to one request.
type answer struct {
	status int
	body   []byte
}

// FuzzHTTPServiceAnswer feeds HTTPService any status and body the regional
// service could send. Every answer must be classified as exactly one of the
// documented outcomes: 2xx is success, 422 with {"code":"cf"} is ErrCF,
// anything else is ErrTechnical.
func FuzzHTTPServiceAnswer(f *testing.F) {
	seeds := []struct {
		status int
		body   string
	}{
		{201, ""},
		{200, `{"code":"cf"}`},
		{422, `{"code":"cf","message":"codice fiscale errato o mancante"}`},
		{422, `{"code":"cf","message":42}`},
		{422, `{"CODE":"cf"}`},
		{422, `{"code":"cf","code":"x"}`},
		{422, `{"code":["cf"]}`},
		{422, `{"code":"CF"}`},
		{422, `{"code":"cf"`},
		{422, `null`},
		{422, "\xff\xfe"},
		{400, `{"code":"cf"}`},
		{503, "service unavailable"},
		{500, `{"code":"cf","message":"` + string(make([]byte, 5000)) + `"}`},
		{302, ""},
		{204, "body on a 204"},
	}
	for _, s := range seeds {
		f.Add(s.status, []byte(s.body))
	}
	var (
		answers sync.Map // request id -> answer
		next    atomic.Int64
	)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		a, ok := answers.Load(r.Header.Get(fse.IdempotencyHeader))
		if !ok {
			http.Error(w, "unknown request", http.StatusInternalServerError)
			return
		}
		w.WriteHeader(a.(answer).status)
		_, _ = w.Write(a.(answer).body)
	}))
	f.Cleanup(srv.Close)
	// No redirects: a 3xx is an answer of the service, not a place to go.
	cl := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	svc := fse.HTTPService{URL: srv.URL, Client: cl}
	f.Fuzz(func(t *testing.T, status int, body []byte) {
		if status < 200 || status > 599 {
			status = 200 + int(uint(status)%400) // 1xx are not final answers
		}
		id := "req-" + strconv.FormatInt(next.Add(1), 10)
		answers.Store(id, answer{status, body})
		defer answers.Delete(id)
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		err := svc.Create(ctx, id, "RSSMRA80A01H501U", fse.Consents{Policy: "fse-2015"})
		if ctx.Err() != nil {
			t.Fatalf("HTTP %d body %q: no answer within 5 s", status, body)
		}
		got := outcomeOf(t, err)
		if want := wantOutcome(status, body); got != want {
			t.Errorf("HTTP %d body %q: got %s (%v), want %s", status, body, got, err, want)
		}
	})
}

// outcomeOf names the outcome of err and fails t if err is none of the
// documented ones, or more than one.
func outcomeOf(t *testing.T, err error) string {
	cf, tech := errors.Is(err, fse.ErrCF), errors.Is(err, fse.ErrTechnical)
	switch {
	case err == nil:
		return "ok"
	case cf && !tech:
		return "cf"
	case tech && !cf:
		return "technical"
	}
	t.Fatalf("error %v is not one documented outcome (cf %v, technical %v)", err, cf, tech)
	return ""
}

// wantOutcome is the documented outcome of an answer; a body is read up to
// 4 KiB, so a longer one is never a valid refusal.
func wantOutcome(status int, body []byte) string {
	if status/100 == 2 {
		return "ok"
	}
	var obj map[string]any
	if status != http.StatusUnprocessableEntity || len(body) > 4096 || json.Unmarshal(body, &obj) != nil {
		return "technical"
	}
	if code, _ := obj["code"].(string); code == "cf" {
		return "cf"
	}
	return "technical"
}
