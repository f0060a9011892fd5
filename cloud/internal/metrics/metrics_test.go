package metrics

import (
	"bytes"
	"errors"
	"flag"
	"io"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync"
	"testing"
)

var update = flag.Bool("update", false, "rewrite golden files")

func TestExpositionGolden(t *testing.T) {
	r := NewRegistry()
	c, err := r.NewCounter("cms_ops_total", "Operations applied.")
	if err != nil {
		t.Fatal(err)
	}
	c.Add(3)
	cv, _ := r.NewCounterVec("cms_outcomes_total", "Outcomes by code.", "code")
	cv.With("applied").Inc()
	cv.With(`we"ird\` + "\n").Add(2)
	g, _ := r.NewGauge("cms_devices_online", "Devices online.\nSecond line.")
	g.Set(5)
	g.Dec()
	h, _ := r.NewHistogram("cms_apply_seconds", "Apply latency.", []float64{0.1, 1})
	for _, v := range []float64{0.05, 0.5, 2} {
		h.Observe(v)
	}
	var buf bytes.Buffer
	r.Write(&buf)
	golden := filepath.Join("testdata", "exposition.golden")
	if *update {
		if err := os.WriteFile(golden, buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if got := buf.String(); got != string(want) {
		t.Errorf("exposition:\n got: %s\nwant: %s", got, want)
	}
}

func TestRegisterErrors(t *testing.T) {
	r := NewRegistry()
	if _, err := r.NewCounter("a", ""); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		labels []string
		want   error
	}{
		{"a", nil, ErrDuplicate},
		{"1bad", nil, ErrName},
		{"ok_b", []string{"le"}, ErrName},
		{"ok_c", []string{"bad-label"}, ErrName},
	}
	for _, tt := range tests {
		_, err := r.NewCounterVec(tt.name, "", tt.labels...)
		if !errors.Is(err, tt.want) {
			t.Errorf("%s %v: got %v, want %v", tt.name, tt.labels, err, tt.want)
		}
	}
}

func TestWrongLabelCountDoesNotPanic(t *testing.T) {
	r := NewRegistry()
	v, _ := r.NewCounterVec("x_total", "", "a", "b")
	v.With("only-one").Inc()
	var buf bytes.Buffer
	r.Write(&buf)
	if bytes.Contains(buf.Bytes(), []byte("only-one")) {
		t.Errorf("detached child exported: %s", buf.String())
	}
}

func TestConcurrentCounter(t *testing.T) {
	r := NewRegistry()
	c, _ := r.NewCounter("n_total", "")
	h, _ := r.NewHistogram("h", "", nil)
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 1000 {
				c.Inc()
				h.Observe(0.01)
			}
		}()
	}
	wg.Wait()
	if got, want := c.Value(), 8000.0; got != want {
		t.Errorf("counter = %v, want %v", got, want)
	}
	if got, want := h.Count(), uint64(8000); got != want {
		t.Errorf("histogram count = %v, want %v", got, want)
	}
}

func TestHandler(t *testing.T) {
	r := NewRegistry()
	c, _ := r.NewCounter("up_total", "x")
	c.Inc()
	rec := httptest.NewRecorder()
	r.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	body, _ := io.ReadAll(rec.Body)
	if got, want := rec.Header().Get("Content-Type"), "text/plain; version=0.0.4; charset=utf-8"; got != want {
		t.Errorf("content type = %q, want %q", got, want)
	}
	if !bytes.Contains(body, []byte("up_total 1\n")) {
		t.Errorf("body = %s", body)
	}
}

func ExampleRegistry() {
	r := NewRegistry()
	c, _ := r.NewCounterVec("requests_total", "Requests.", "code")
	c.With("200").Inc()
	var buf bytes.Buffer
	r.Write(&buf)
	os.Stdout.Write(buf.Bytes())
	// Output:
	// # HELP requests_total Requests.
	// # TYPE requests_total counter
	// requests_total{code="200"} 1
}
