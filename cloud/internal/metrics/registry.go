package metrics

import (
	"bytes"
	"fmt"
	"net/http"
	"regexp"
	"sort"
	"strings"
	"sync"
)

var nameRE = regexp.MustCompile(`^[a-zA-Z_:][a-zA-Z0-9_:]*$`)

type kind string

const (
	kindCounter   kind = "counter"
	kindGauge     kind = "gauge"
	kindHistogram kind = "histogram"
)

// family is one metric name with its children by label values.
type family struct {
	name, help string
	kind       kind
	labels     []string
	buckets    []float64

	mu       sync.Mutex
	children map[string]any // key: label values joined by \xff
	values   map[string][]string
}

func (f *family) child(vals []string) (any, error) {
	if len(vals) != len(f.labels) {
		return nil, fmt.Errorf("%w: %s wants %d, got %d", ErrLabels, f.name, len(f.labels), len(vals))
	}
	key := strings.Join(vals, "\xff")
	f.mu.Lock()
	defer f.mu.Unlock()
	if c, ok := f.children[key]; ok {
		return c, nil
	}
	var c any
	switch f.kind {
	case kindCounter:
		c = &Counter{}
	case kindGauge:
		c = &Gauge{}
	default:
		c = newHistogram(f.buckets)
	}
	f.children[key] = c
	f.values[key] = append([]string(nil), vals...)
	return c, nil
}

// Registry holds metric families by name.
type Registry struct {
	mu  sync.Mutex
	fam map[string]*family
}

// NewRegistry returns an empty registry.
func NewRegistry() *Registry { return &Registry{fam: map[string]*family{}} }

func (r *Registry) add(name, help string, k kind, labels []string, buckets []float64) (*family, error) {
	if !nameRE.MatchString(name) {
		return nil, fmt.Errorf("%w: %q", ErrName, name)
	}
	for _, l := range labels {
		if !nameRE.MatchString(l) || strings.HasPrefix(l, "__") || l == "le" {
			return nil, fmt.Errorf("%w: label %q", ErrName, l)
		}
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if _, ok := r.fam[name]; ok {
		return nil, fmt.Errorf("%w: %s", ErrDuplicate, name)
	}
	f := &family{name: name, help: help, kind: k, labels: labels, buckets: buckets,
		children: map[string]any{}, values: map[string][]string{}}
	r.fam[name] = f
	return f, nil
}

// Write writes every family in the text exposition format, sorted by name.
func (r *Registry) Write(buf *bytes.Buffer) {
	r.mu.Lock()
	names := make([]string, 0, len(r.fam))
	for n := range r.fam {
		names = append(names, n)
	}
	fams := make([]*family, 0, len(names))
	sort.Strings(names)
	for _, n := range names {
		fams = append(fams, r.fam[n])
	}
	r.mu.Unlock()
	for _, f := range fams {
		f.write(buf)
	}
}

// Handler serves the registry as text/plain; version=0.0.4.
func (r *Registry) Handler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		var buf bytes.Buffer
		r.Write(&buf)
		w.Header().Set("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
		_, _ = w.Write(buf.Bytes())
	})
}
