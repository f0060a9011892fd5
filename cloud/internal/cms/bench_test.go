package cms_test

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"cnskiosk.dev/cloud/internal/cms"
	"cnskiosk.dev/cloud/internal/operator"
	"cnskiosk.dev/cloud/internal/store"
	"cnskiosk.dev/cloud/internal/store/storetest"
	"cnskiosk.dev/shared/outcome"
	"cnskiosk.dev/shared/wire"
)

// BenchmarkActivation measures activations applied per second, with p50
// and p99 latency, beside a baseline of one-row INSERT transactions on the
// same database with the same number of clients.
//
//	go test ./internal/cms -run '^$' -bench . -benchtime 4000x
func BenchmarkActivation(b *testing.B) {
	for _, d := range storetest.Dialects() {
		for _, clients := range []int{1, 32} {
			b.Run(fmt.Sprintf("%s/clients=%d/activation", d, clients), func(b *testing.B) { benchActivations(b, d, clients, 0) })
			b.Run(fmt.Sprintf("%s/clients=%d/activation_unbatched", d, clients), func(b *testing.B) { benchActivations(b, d, clients, 1) })
			b.Run(fmt.Sprintf("%s/clients=%d/baseline_insert", d, clients), func(b *testing.B) { benchBaseline(b, d, clients) })
		}
	}
}

// run calls fn b.N times from clients goroutines and reports throughput
// and latency percentiles.
func run(b *testing.B, clients int, fn func(i int) error) {
	lat := make([]time.Duration, b.N)
	var next atomic.Int64
	var wg sync.WaitGroup
	b.ResetTimer()
	start := time.Now()
	for range clients {
		wg.Go(func() {
			for {
				i := int(next.Add(1)) - 1
				if i >= b.N {
					return
				}
				t0 := time.Now()
				if err := fn(i); err != nil {
					b.Error(err)
					return
				}
				lat[i] = time.Since(t0)
			}
		})
	}
	wg.Wait()
	elapsed := time.Since(start)
	b.StopTimer()
	slices.Sort(lat)
	b.ReportMetric(float64(b.N)/elapsed.Seconds(), "ops/s")
	b.ReportMetric(float64(lat[b.N/2].Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(lat[b.N*99/100].Microseconds())/1000, "p99-ms")
}

// benchActivations applies b.N activations from clients goroutines;
// maxBatch 1 turns group commit off (one transaction per operation).
func benchActivations(b *testing.B, d store.Dialect, clients, maxBatch int) {
	ctx := context.Background()
	db := storetest.Open(b, d)
	clock := func() time.Time { return now }
	reg := operator.NewRegistry(db, clock)
	must(b, reg.Upsert(ctx, operator.Operator{CF: opCF, Name: "Bench", Enabled: true,
		Menus: []string{operator.All}, Counters: []string{operator.All}}))
	sessions := make([]string, clients)
	for c := range clients {
		s, err := reg.CreateSession(ctx, operator.Session{OperatorCF: opCF, Device: fmt.Sprintf("kiosk-%03d", c), IssuedAt: now.Add(-time.Hour)})
		must(b, err)
		sessions[c] = s.ID
	}
	envs := seedBench(b, db, b.N, clients, sessions)
	eng := cms.New(db, nil, cms.Options{RequireSession: true, Now: clock, MaxBatch: maxBatch}, quiet())
	run(b, clients, func(i int) error {
		ack, err := eng.Apply(ctx, envs[i])
		if err == nil && ack.Outcome != string(outcome.Applied) {
			err = fmt.Errorf("activation %d: %s", i, ack.Outcome)
		}
		return err
	})
}

// seedBench inserts n not-active cards and builds one activation each.
func seedBench(b *testing.B, db *store.DB, n, clients int, sessions []string) []wire.Envelope {
	ctx := context.Background()
	envs := make([]wire.Envelope, n)
	cf := "RSSMRA70A01F205V"
	err := db.InTx(ctx, func(tx *sql.Tx) error {
		for i := range n {
			team := completeTEAM(fmt.Sprintf("803800009%010d", i))
			if _, err := tx.ExecContext(ctx, `INSERT INTO cards (team, cf, expiry, surname, name, birth_date, state, updated_at)
				VALUES ($1, $2, $3, 'ROSSI', 'MARIO', '1970-01-01', 'not_active', 1)`, team, cf, validExp.String()); err != nil {
				return err
			}
			c := i % clients
			body := wire.Activation{Common: wire.Common{Operator: wire.Operator{CF: opCF, Session: sessions[c]}},
				Card: wire.CardRef{CF: cf, TEAM: team, Expiry: validExp}, Requester: holder, Document: doc, Delivery: email}
			en, err := wire.New(fmt.Sprintf("kiosk-%03d", c), uint64(i+1), wire.OpActivation, now.Add(-time.Minute), body)
			if err != nil {
				return err
			}
			envs[i] = en
		}
		return nil
	})
	must(b, err)
	return envs
}

func benchBaseline(b *testing.B, d store.Dialect, clients int) {
	ctx := context.Background()
	db := storetest.Open(b, d)
	_, err := db.SQL().ExecContext(ctx, `CREATE TABLE bench_baseline (id TEXT PRIMARY KEY, v BIGINT NOT NULL)`)
	must(b, err)
	run(b, clients, func(i int) error {
		return db.InTx(ctx, func(tx *sql.Tx) error {
			_, err := tx.ExecContext(ctx, `INSERT INTO bench_baseline (id, v) VALUES ($1, $2)`, wire.NewID(now), int64(i))
			return err
		})
	})
}
