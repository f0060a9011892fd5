package cardimport_test

import (
	"bytes"
	"context"
	"testing"
	"time"

	"cnskiosk.dev/cloud/internal/cardimport"
	"cnskiosk.dev/cloud/internal/demodata"
	"cnskiosk.dev/cloud/internal/store/storetest"
)

// BenchmarkReimport imports a file into a database that already holds
// every card: each row is compared with the stored card, secrets opened
// and compared. Its baseline is BenchmarkImport of the same rows.
func BenchmarkReimport(b *testing.B) {
	n := benchRows(b)
	var buf bytes.Buffer
	if err := demodata.Write(&buf, n, demodata.Options{Seed: 1}); err != nil {
		b.Fatal(err)
	}
	data := buf.Bytes()
	v := newVault(b)
	for _, d := range storetest.Dialects() {
		b.Run(string(d), func(b *testing.B) {
			db := storetest.Open(b, d)
			im := cardimport.New(db, v, cardimport.Options{Now: demoDay}, storetest.Logger(b))
			if _, err := im.Import(context.Background(), bytes.NewReader(data)); err != nil {
				b.Fatal(err)
			}
			var elapsed time.Duration
			for b.Loop() {
				start := time.Now()
				sum, err := im.Import(context.Background(), bytes.NewReader(data))
				elapsed += time.Since(start)
				if err != nil || sum.Existing != n {
					b.Fatalf("re-import: %+v %v", sum, err)
				}
			}
			b.ReportMetric(float64(n*b.N)/elapsed.Seconds(), "rows/s")
		})
	}
}
