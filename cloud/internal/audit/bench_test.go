package audit

import (
	"fmt"
	"testing"
	"time"
)

// BenchmarkChain is the audit work of one engine batch of 64 activations
// on PostgreSQL once the heads are read: chaining the records after their
// heads (Heads.Chain) and building the INSERT of the records and the
// UPDATE of the heads with their arguments.
func BenchmarkChain(b *testing.B) {
	rs := make([]Record, 64)
	at := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	for i := range rs {
		rs[i] = Record{At: at, Device: fmt.Sprintf("kiosk-%02d", i), Counter: "careggi-cup-03",
			Operator: "BNCLRA75M41D612B", Card: "80380000900090510553", Action: "activation", Outcome: "applied",
			OpID: fmt.Sprintf("01KFARGQVR9RFMMKD07RCV8%03d", i), Detail: "diretta"}
	}
	b.ReportAllocs()
	for b.Loop() {
		h := &Heads{m: make(map[int]*head, Partitions)}
		for p := range Partitions {
			h.m[p] = &head{seq: 100, sum: "3f1c9a0e5b7d2c4f6a8e0b1d3c5f7a9e2b4d6f8a0c1e3b5d7f9a1c3e5b7d9f0a"}
		}
		p, err := h.Chain(rs)
		if err != nil {
			b.Fatal(err)
		}
		if _, _, err := p.PostgresInsert(40); err != nil {
			b.Fatal(err)
		}
		if _, _, err := p.PostgresHeads(60); err != nil {
			b.Fatal(err)
		}
	}
}
