package cardimport_test

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"os"
	"strconv"
	"testing"
	"time"

	"cnskiosk.dev/cloud/internal/cardimport"
	"cnskiosk.dev/cloud/internal/demodata"
	"cnskiosk.dev/cloud/internal/store"
	"cnskiosk.dev/cloud/internal/store/storetest"
)

// benchRows is the file size of the import benchmarks; override with
// CNS_BENCH_ROWS (e.g. 1000000).
func benchRows(b *testing.B) int {
	if s := os.Getenv("CNS_BENCH_ROWS"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil {
			b.Fatalf("CNS_BENCH_ROWS: %v", err)
		}
		return n
	}
	return 100_000
}

// BenchmarkImport imports a demo file into a fresh database per iteration
// and reports rows/s.
func BenchmarkImport(b *testing.B) {
	n := benchRows(b)
	var buf bytes.Buffer
	if err := demodata.Write(&buf, n, demodata.Options{Seed: 1}); err != nil {
		b.Fatal(err)
	}
	data := buf.Bytes()
	v := newVault(b)
	for _, d := range storetest.Dialects() {
		b.Run(string(d), func(b *testing.B) {
			var elapsed time.Duration
			for b.Loop() {
				b.StopTimer()
				db := storetest.Open(b, d)
				b.StartTimer()
				start := time.Now()
				sum, err := cardimport.New(db, v, cardimport.Options{Now: demoDay}, storetest.Logger(b)).Import(context.Background(), bytes.NewReader(data))
				elapsed += time.Since(start)
				if err != nil || sum.Imported != n {
					b.Fatalf("import: %+v %v", sum, err)
				}
			}
			b.ReportMetric(float64(n*b.N)/elapsed.Seconds(), "rows/s")
		})
	}
}

// BenchmarkBaselineInsert is the baseline: the same number of rows written
// by a bare loop of single-row INSERTs in one transaction, with a prepared
// statement, no validation and no sealing.
func BenchmarkBaselineInsert(b *testing.B) {
	n := benchRows(b)
	for _, d := range storetest.Dialects() {
		b.Run(string(d), func(b *testing.B) {
			var elapsed time.Duration
			for b.Loop() {
				b.StopTimer()
				db := storetest.Open(b, d)
				b.StartTimer()
				start := time.Now()
				if err := bareInsert(db, n); err != nil {
					b.Fatal(err)
				}
				elapsed += time.Since(start)
			}
			b.ReportMetric(float64(n*b.N)/elapsed.Seconds(), "rows/s")
		})
	}
}

func bareInsert(db *store.DB, n int) error {
	return db.InTx(context.Background(), func(tx *sql.Tx) error {
		st, err := tx.Prepare(`INSERT INTO cards (team, cf, expiry, surname, name, birth_date, sex, birth_place, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`)
		if err != nil {
			return err
		}
		defer st.Close()
		for i := range n {
			team := fmt.Sprintf("8038000090%010d", i)
			if _, err := st.Exec(team, "RSSMRA70A01F205V", "2030-01-01", "Rossi", "Mario", "1970-01-01", "M", "F205", 1); err != nil {
				return err
			}
		}
		return nil
	})
}

// demoDay is the import day matching the demo data's reference date, so the
// benchmark does not start rejecting cards as the calendar moves on.
func demoDay() time.Time { return demodata.DefaultAsOf }
