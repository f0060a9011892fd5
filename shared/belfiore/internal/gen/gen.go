package main

import (
	"bufio"
	"bytes"
	"cmp"
	"compress/gzip"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"time"
)

type config struct{ anpr, countries, deleted, out string }

// row is one line of the output: a code valid under one name from From to
// To (both inclusive, "" = open).
type row struct {
	code, from, to, prov, name, alt string
	foreign                         bool
}

func run(_ context.Context, cfg config) error {
	if cfg.anpr == "" || cfg.countries == "" || cfg.deleted == "" {
		return errors.New("-anpr, -countries and -deleted are required")
	}
	rows, err := readANPR(cfg.anpr)
	if err != nil {
		return err
	}
	for _, p := range []string{cfg.countries, cfg.deleted} {
		cs, err := readCountries(p)
		if err != nil {
			return err
		}
		rows = append(rows, cs...)
	}
	slices.SortStableFunc(rows, func(a, b row) int {
		return cmp.Or(cmp.Compare(a.code, b.code), cmp.Compare(a.from, b.from))
	})
	return write(cfg.out, merge(rows))
}

func readANPR(path string) ([]row, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	br := bufio.NewReader(f)
	if b, err := br.Peek(3); err == nil && string(b) == "\ufeff" {
		br.Discard(3)
	}
	r := csv.NewReader(br)
	head, err := r.Read()
	if err != nil {
		return nil, fmt.Errorf("%s: header: %w", path, err)
	}
	col := map[string]int{}
	for i, h := range head {
		col[h] = i
	}
	for _, c := range []string{"CODCATASTALE", "DATAISTITUZIONE", "DATACESSAZIONE", "DENOMINAZIONE_IT", "ALTRADENOMINAZIONE", "SIGLAPROVINCIA"} {
		if _, ok := col[c]; !ok {
			return nil, fmt.Errorf("%s: column %s missing", path, c)
		}
	}
	var out []row
	for {
		rec, err := r.Read()
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		code := rec[col["CODCATASTALE"]]
		if len(code) != 4 { // "ND": no code was ever assigned
			continue
		}
		to := rec[col["DATACESSAZIONE"]]
		if to == "9999-12-31" {
			to = ""
		}
		out = append(out, row{code: code, from: rec[col["DATAISTITUZIONE"]], to: to,
			prov: rec[col["SIGLAPROVINCIA"]], name: rec[col["DENOMINAZIONE_IT"]], alt: rec[col["ALTRADENOMINAZIONE"]]})
	}
}

type country struct {
	Code        string `json:"code"`
	DateCreated string `json:"date_created"`
	DateDeleted string `json:"date_deleted"`
	Name        string `json:"name"`
	NameAlt     string `json:"name_alt"`
	Province    string `json:"province"`
}

// readCountries reads a list of foreign states. date_created 1900-01-01 is
// the list's placeholder for "always" and becomes an open start;
// date_deleted is the first day the state no longer existed, so the last
// valid day is the day before.
func readCountries(path string) ([]row, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var cs []country
	if err := json.Unmarshal(b, &cs); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	out := make([]row, 0, len(cs))
	for _, c := range cs {
		from, to := day(c.DateCreated), day(c.DateDeleted)
		if from == "1900-01-01" {
			from = ""
		}
		if to != "" {
			t, err := time.Parse(time.DateOnly, to)
			if err != nil {
				return nil, fmt.Errorf("%s: %s: %w", path, c.Code, err)
			}
			to = t.AddDate(0, 0, -1).Format(time.DateOnly)
		}
		alt := c.NameAlt
		if alt == c.Name {
			alt = ""
		}
		out = append(out, row{code: c.Code, from: from, to: to, prov: c.Province, name: c.Name, alt: alt, foreign: true})
	}
	return out, nil
}

func day(s string) string { d, _, _ := strings.Cut(s, "T"); return d }

// merge joins consecutive rows of one code that differ only in their dates
// (ANPR splits a comune's life at every boundary change).
func merge(rows []row) []row {
	var out []row
	for _, r := range rows {
		if n := len(out); n > 0 {
			p := &out[n-1]
			if p.code == r.code && p.name == r.name && p.prov == r.prov && p.alt == r.alt && next(p.to) == r.from {
				p.to = r.to
				continue
			}
		}
		out = append(out, r)
	}
	return out
}

func next(d string) string {
	t, err := time.Parse(time.DateOnly, d)
	if err != nil {
		return "-"
	}
	return t.AddDate(0, 0, 1).Format(time.DateOnly)
}

func write(path string, rows []row) error {
	var buf bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	fmt.Fprintln(zw, "# code\tfrom\tto\tprovince\tforeign\tname\taltname")
	for _, r := range rows {
		f := "0"
		if r.foreign {
			f = "1"
		}
		fmt.Fprintf(zw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", r.code, r.from, r.to, r.prov, f, clean(r.name), clean(r.alt))
	}
	if err := zw.Close(); err != nil {
		return err
	}
	return os.WriteFile(path, buf.Bytes(), 0o644)
}

func clean(s string) string { return strings.NewReplacer("\t", " ", "\n", " ").Replace(s) }
