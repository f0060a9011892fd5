package cardimport

import (
	"testing"

	"cnskiosk.dev/cloud/internal/demodata"
)

func BenchmarkParseRow(b *testing.B) {
	g := demodata.New(demodata.Options{Seed: 1})
	recs := make([][]string, 1000)
	for i := range recs {
		c, _ := g.Next()
		recs[i] = c.Record()
	}
	today := demodata.DefaultAsOf
	i := 0
	for b.Loop() {
		if _, err := parseRow(recs[i%len(recs)], DefaultLengths, today); err != nil {
			b.Fatal(err)
		}
		i++
	}
}
