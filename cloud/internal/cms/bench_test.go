package cms_test

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"cnskiosk.dev/cloud/internal/cms"
	"cnskiosk.dev/cloud/internal/metrics"
	"cnskiosk.dev/cloud/internal/notify"
	"cnskiosk.dev/cloud/internal/operator"
	"cnskiosk.dev/cloud/internal/store"
	"cnskiosk.dev/cloud/internal/store/storetest"
	"cnskiosk.dev/cloud/internal/vault"
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
	envs := seedBench(b, db, b.N, clients, benchSessions(b, db, clients))
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
// benchSessions registers the benchmark's operator and one session of it
// on each client's kiosk, and returns the session ids by client.
func benchSessions(b *testing.B, db *store.DB, clients int) []string {
	ctx := context.Background()
	reg := operator.NewRegistry(db, func() time.Time { return now })
	must(b, reg.Upsert(ctx, operator.Operator{CF: opCF, Name: "Bench", Enabled: true,
		Menus: []string{operator.All}, Counters: []string{operator.All}}))
	sessions := make([]string, clients)
	for c := range clients {
		s, err := reg.CreateSession(ctx, operator.Session{OperatorCF: opCF, Device: fmt.Sprintf("kiosk-%03d", c), IssuedAt: now.Add(-time.Hour)})
		must(b, err)
		sessions[c] = s.ID
	}
	return sessions
}

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

// BenchmarkNotificationHandoff applies b.N activations from 32 clients
// with a notification worker running beside the engine, as in cmsd (ns/op,
// ops/s and latency are those of Apply), then waits until every
// notification is recorded sent to a sender that does nothing (drain-ms:
// from the last Apply; the polling worker may wait out its 2 s poll). "claim": the worker claims every row (no hand-off, as
// before); "handoff": the engine inserts the rows claimed by the worker
// and hands them over after the commit. Per notification it reports the
// claim statements, and what PostgreSQL counted for the test database
// over the run (engine and worker together): transactions (each
// autocommit statement is one), buffer accesses, and updates of
// notifications rows.
//
//	go test ./internal/cms -run '^$' -bench NotificationHandoff -benchtime 3000x -count 3
func BenchmarkNotificationHandoff(b *testing.B) {
	for _, mode := range []string{"claim", "handoff"} {
		b.Run("postgres/"+mode, func(b *testing.B) { benchHandoff(b, mode == "handoff") })
	}
}

func benchHandoff(b *testing.B, handoff bool) {
	const clients = 32
	ctx := context.Background()
	dsn := storetest.DSN(b, store.Postgres)
	db, err := store.Open(ctx, dsn, quiet())
	must(b, err)
	clock := func() time.Time { return now }
	envs := seedBench(b, db, b.N, clients, benchSessions(b, db, clients))
	keyFile := filepath.Join(b.TempDir(), "vault.key")
	must(b, vault.Generate(keyFile))
	v, err := vault.Load(keyFile)
	must(b, err)
	err = db.InTx(ctx, func(tx *sql.Tx) error {
		for i := range b.N {
			team := completeTEAM(fmt.Sprintf("803800009%010d", i)) // as seedBench
			sealed, err := v.Seal(team, secrets)
			if err == nil {
				_, err = tx.ExecContext(ctx, `INSERT INTO card_secrets (team, key_id, nonce, sealed) VALUES ($1, $2, $3, $4)`,
					team, sealed.KeyID, sealed.Nonce, sealed.Ciphertext)
			}
			if err != nil {
				return err
			}
		}
		return nil
	})
	must(b, err)
	db.Close() // its backends flush their statistics as they exit
	before := pgCounts(b, dsn)

	db, err = store.Open(ctx, dsn, quiet())
	must(b, err)
	mreg := metrics.NewRegistry()
	o := notify.Options{Email: nopSender{}, SMS: nopSender{}, Vault: v, Metrics: mreg, Handoff: -1}
	if handoff {
		o.Handoff = 0
	}
	w, err := notify.NewWorker(db, o, quiet())
	must(b, err)
	eng := cms.New(db, v, cms.Options{RequireSession: true, Now: clock, Handoff: w.Handoff()}, quiet())
	wctx, stop := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- w.Run(wctx) }()
	tick := time.NewTicker(2 * time.Millisecond)
	defer tick.Stop()
	run(b, clients, func(i int) error {
		_, err := eng.Apply(ctx, envs[i])
		return err
	})
	start := time.Now()
	deadline := start.Add(2 * time.Minute)
	for sent := 0; sent < b.N; <-tick.C {
		must(b, db.SQL().QueryRowContext(ctx, `SELECT count(*) FROM notifications WHERE status <> 'pending'`).Scan(&sent))
		if sent < b.N && time.Now().After(deadline) {
			b.Fatalf("%d of %d notifications sent or failed after 2 minutes", sent, b.N)
		}
	}
	drain := time.Since(start)
	stop()
	must(b, <-done)
	var failed int
	must(b, db.SQL().QueryRowContext(ctx, `SELECT count(*) FROM notifications WHERE status = 'failed'`).Scan(&failed))
	db.Close()
	after := pgCounts(b, dsn)
	n := float64(b.N)
	b.ReportMetric(float64(drain.Milliseconds()), "drain-ms")
	var buf bytes.Buffer
	mreg.Write(&buf)
	claims := 0.0
	for l := range strings.Lines(buf.String()) {
		if v, ok := strings.CutPrefix(strings.TrimSpace(l), "cms_notification_claims_total "); ok {
			claims, _ = strconv.ParseFloat(v, 64)
		}
	}
	b.ReportMetric(claims/n, "claims/notice")
	b.ReportMetric(float64(after.xacts-before.xacts)/n, "pg-xacts/notice")
	b.ReportMetric(float64(after.blocks-before.blocks)/n, "pg-blocks/notice")
	b.ReportMetric(float64(after.updates-before.updates)/n, "notif-updates/notice")
	if failed > 0 {
		b.Fatalf("%d notifications failed", failed)
	}
}

// pgStats are cumulative counters PostgreSQL keeps for one database.
type pgStats struct{ xacts, blocks, updates int64 }

// pgCounts reads the statistics of the database dsn once no other
// connection to it is left (a backend flushes its counts as it exits).
func pgCounts(b *testing.B, dsn string) pgStats {
	b.Helper()
	ctx := context.Background()
	db, err := sql.Open("pgx", dsn)
	must(b, err)
	defer db.Close()
	db.SetMaxOpenConns(1)
	tick := time.NewTicker(5 * time.Millisecond)
	defer tick.Stop()
	deadline := time.Now().Add(10 * time.Second)
	for {
		var others int
		must(b, db.QueryRowContext(ctx, `SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()`).Scan(&others))
		if others == 0 {
			break
		}
		if time.Now().After(deadline) {
			b.Fatalf("%d connections still open", others)
		}
		<-tick.C
	}
	var s pgStats
	must(b, db.QueryRowContext(ctx, `SELECT xact_commit + xact_rollback, blks_hit + blks_read,
		(SELECT n_tup_upd FROM pg_stat_user_tables WHERE relname = 'notifications')
		FROM pg_stat_database WHERE datname = current_database()`).Scan(&s.xacts, &s.blocks, &s.updates))
	return s
}

type nopSender struct{}

func (nopSender) Send(context.Context, notify.Message) error { return nil }
