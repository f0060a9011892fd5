package main

import (
	"bytes"
	"compress/gzip"
	"context"
	"flag"
	"io"
	"os"
	"path/filepath"
	"testing"
)

var update = flag.Bool("update", false, "rewrite testdata/want.tsv")

// TestGolden runs the generator on a few rows of each input (testdata/)
// and compares the uncompressed output with testdata/want.tsv. The rows
// cover: a BOM before the header, a code that changed province (A004), a
// comune with a second language name (A952), records split only by date
// (F205, merged), a record without code (ND, dropped), a state with an open
// start, one with a start date and one deleted (end = the day before).
func TestGolden(t *testing.T) {
	out := filepath.Join(t.TempDir(), "data.tsv.gz")
	cfg := config{anpr: "testdata/anpr.csv", countries: "testdata/countries.json", deleted: "testdata/deleted.json", out: out}
	if err := run(context.Background(), cfg); err != nil {
		t.Fatal(err)
	}
	got := gunzip(t, out)
	if *update {
		if err := os.WriteFile("testdata/want.tsv", got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile("testdata/want.tsv")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("output differs from testdata/want.tsv (run with -update after checking):\n%s", got)
	}
	// Deterministic: a second run gives the same bytes.
	first, _ := os.ReadFile(out)
	if err := run(context.Background(), cfg); err != nil {
		t.Fatal(err)
	}
	if second, _ := os.ReadFile(out); !bytes.Equal(first, second) {
		t.Error("two runs gave different bytes")
	}
}

func TestRunErrors(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.json")
	os.WriteFile(bad, []byte("{"), 0o644)
	for _, cfg := range []config{
		{},
		{anpr: "testdata/missing.csv", countries: "testdata/countries.json", deleted: "testdata/deleted.json"},
		{anpr: "testdata/countries.json", countries: "testdata/countries.json", deleted: "testdata/deleted.json"},
		{anpr: "testdata/anpr.csv", countries: bad, deleted: "testdata/deleted.json"},
	} {
		cfg.out = filepath.Join(dir, "out.tsv.gz")
		if err := run(context.Background(), cfg); err == nil {
			t.Errorf("run(%+v) = nil error", cfg)
		}
	}
}

func gunzip(t *testing.T, path string) []byte {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	b, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
