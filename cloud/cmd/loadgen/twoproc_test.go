package main

import (
	"bufio"
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"cnskiosk.dev/cloud/internal/fleet"
	"cnskiosk.dev/cloud/internal/operator"
	"cnskiosk.dev/cloud/internal/pki"
	"cnskiosk.dev/cloud/internal/store"
	"cnskiosk.dev/shared/outcome"
	"cnskiosk.dev/shared/wire"
)

// twoProcResend is how often a test kiosk sends again an operation not
// yet acked (the firmware outbox does the same, less often).
const twoProcResend = 300 * time.Millisecond

// TestTwoProcessesOneKilled runs two cmsd processes (cmsd-a, cmsd-b) on
// one Mosquitto (the shipped configuration) and one PostgreSQL database.
// Twenty kiosks activate ten cards each, with a reader, and then buy a
// second reader for each card: 400 operations, one in flight per kiosk.
// When a quarter of them is acked, cmsd-a is killed with SIGKILL; the
// kiosks resend what is not acked and cmsd-b carries on. Every operation
// must be acked "applied" to its kiosk and recorded exactly once, and no
// effect may be applied twice: every card is active with reader_count 2
// and one PIN/PUK notification.
func TestTwoProcessesOneKilled(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	log := slog.New(slog.NewTextHandler(tlog{t}, &slog.HandlerOptions{Level: slog.LevelWarn}))
	bin := buildCmsd(t)
	c := config{mode: "mosquitto", db: "postgres", dir: t.TempDir(), kiosks: 20, ops: 10, pgAdmin: pgURL()}
	f, err := prepare(ctx, c, log)
	if f != nil {
		t.Cleanup(f.dropDB)
	}
	if err != nil {
		t.Fatalf("prepare (PostgreSQL from CNS_TEST_PG_URL): %v", err)
	}
	db, err := store.Open(ctx, f.dsn, log)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	sessions := readerSessions(ctx, t, db, f.devices[:c.kiosks])
	mdir := filepath.Join(c.dir, "mosquitto")
	if err := os.MkdirAll(mdir, 0o700); err != nil {
		t.Fatal(err)
	}
	mp, url, err := startMosquittoFor(ctx, mdir, true, f, db, prefixLog{t, "mosquitto"}, log)
	if mp != nil {
		t.Cleanup(func() { mp.stop(5 * time.Second) })
	}
	if err != nil {
		t.Fatalf("mosquitto: %v", err)
	}
	a := startInstance(ctx, t, bin, "cmsd-a", c.dir, f, db, url, false)
	startInstance(ctx, t, bin, "cmsd-b", c.dir, f, db, url, true)
	ks, err := dialAll(ctx, clientLean, url, f.ca, f.devices[:c.kiosks], log)
	if err != nil {
		t.Fatal(err)
	}
	defer closeAll(ks)

	total := c.kiosks * c.ops * 2
	var acked atomic.Int64
	killNow, killed := make(chan struct{}), make(chan killInfo, 1)
	var once sync.Once
	onAck := func() {
		if acked.Add(1) == int64(total/4) {
			once.Do(func() { close(killNow) })
		}
	}
	go func() {
		select {
		case <-killNow:
		case <-ctx.Done():
			killed <- killInfo{}
			return
		}
		before := metricSum(ctx, a.metrics, "cms_ingest_acks_total")
		a.kill()
		killed <- killInfo{acked: acked.Load(), aAcks: before, exit: a.err}
	}()
	acks, ids := driveInOrder(ctx, t, ks, f, sessions, c.ops, onAck)
	k := <-killed
	t.Logf("cmsd-a killed after %d of %d acks (cmsd-a had acked %.0f; exit: %v)", k.acked, total, k.aAcks, k.exit)
	if k.exit == nil || k.acked >= int64(total) || k.aAcks == 0 {
		t.Errorf("cmsd-a was not killed mid-stream while working: exit %v, %d of %d acked, cmsd-a acks %.0f", k.exit, k.acked, total, k.aAcks)
	}
	checkAcks(t, acks, ids)
	checkOnce(ctx, t, db, ids, len(f.cards))
}

type killInfo struct {
	acked int64
	aAcks float64
	exit  error
}

// readerSessions opens, for every device, an operator session allowing
// activation and reader sale.
func readerSessions(ctx context.Context, t *testing.T, db *store.DB, devs []device) []string {
	t.Helper()
	reg := operator.NewRegistry(db, nil)
	out := make([]string, len(devs))
	for i, d := range devs {
		s, err := reg.CreateSession(ctx, operator.Session{OperatorCF: loadOperator, Device: d.id,
			Menus: []string{string(wire.OpActivation), string(wire.OpReaderRequest)}})
		if err != nil {
			t.Fatalf("session for %s: %v", d.id, err)
		}
		out[i] = s.ID
	}
	return out
}

// startInstance issues the client certificate of name and starts a cmsd
// with it on the shared database, data directory and broker.
func startInstance(ctx context.Context, t *testing.T, bin, name, dir string, f *fixture, db *store.DB, url string, ingestOnly bool) *cmsdProc {
	t.Helper()
	certDir := filepath.Join(dir, name)
	cl, err := fleet.New(db, nil, slog.New(slog.DiscardHandler)).IssueCloud(ctx, f.ca, name, time.Hour)
	if err == nil {
		err = pki.WriteBundle(certDir, cl, f.ca.PEM)
	}
	if err != nil {
		t.Fatalf("%s certificate: %v", name, err)
	}
	httpAddr, err1 := freeAddr()
	metricsAddr, err2 := freeAddr()
	if err1 != nil || err2 != nil {
		t.Fatal(err1, err2)
	}
	args := []string{"--data", filepath.Join(dir, "cmsd"), "--db", f.dsn, "--http", httpAddr, "--name", name,
		"--dev-spool", "--metrics-listen", metricsAddr, "--broker", url, "--cert-dir", certDir}
	if ingestOnly {
		args = append(args, "--ingest-only")
	}
	wctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	cm, err := startCmsd(wctx, bin, args, httpAddr, prefixLog{t, name})
	if cm != nil && cm.proc != nil {
		t.Cleanup(func() { cm.stop(10 * time.Second) })
	}
	if err != nil {
		t.Fatalf("%s: not healthy within 30 s: %v", name, err)
	}
	cm.metrics = metricsAddr
	return cm
}

// driveInOrder makes every kiosk activate its cards (with a reader) and
// then sell one more reader per card, one operation in flight per kiosk.
func driveInOrder(ctx context.Context, t *testing.T, ks []*kiosk, f *fixture, sessions []string, cards int, onAck func()) (map[string]wire.Ack, []string) {
	t.Helper()
	paid := &wire.Payment{Method: wire.PayCoin, AmountCents: 420}
	envs := make([][]wire.Envelope, len(ks))
	var ids []string
	for i, k := range ks {
		op := wire.Common{Operator: wire.Operator{CF: loadOperator, Session: sessions[i]}}
		for _, cz := range f.cards[i*cards : (i+1)*cards] {
			ref := wire.CardRef{CF: cz.CF, TEAM: cz.TEAM, Expiry: wire.DateOf(cz.Expiry)}
			a, err := k.op(wire.OpActivation, wire.Activation{Common: op, Card: ref, Requester: wire.Requester{Role: wire.RoleHolder},
				Document: wire.Document{Kind: "carta_identita", Number: "CA12345AA", Issuer: "Comune di Firenze", Expires: wire.NewDate(2031, 1, 1)},
				Delivery: wire.Delivery{Channel: wire.DeliveryEmail, Address: "cittadino@example.it"}, Reader: paid})
			if err != nil {
				t.Fatal(err)
			}
			r, err := k.op(wire.OpReaderRequest, wire.ReaderRequest{Common: op, Card: ref,
				Requester: wire.Requester{Role: wire.RoleHolder}, Payment: paid})
			if err != nil {
				t.Fatal(err)
			}
			envs[i] = append(envs[i], a, r)
			ids = append(ids, a.ID, r.ID)
		}
	}
	var mu sync.Mutex
	all := map[string]wire.Ack{}
	errs := make(chan error, len(ks))
	for i, k := range ks {
		go func() {
			got, err := deliverInOrder(ctx, k, envs[i], onAck)
			mu.Lock()
			for id, a := range got {
				all[id] = a
			}
			mu.Unlock()
			errs <- err
		}()
	}
	for range ks {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
	return all, ids
}

// deliverInOrder sends envs one at a time, each again every
// twoProcResend until it has a final ack (applied, duplicate, rejected).
func deliverInOrder(ctx context.Context, k *kiosk, envs []wire.Envelope, onAck func()) (map[string]wire.Ack, error) {
	acks := make(chan wire.Ack, 4096)
	k.onAck(func(a wire.Ack) {
		select {
		case acks <- a:
		case <-ctx.Done():
		}
	})
	got := map[string]wire.Ack{}
	tick := time.NewTicker(twoProcResend)
	defer tick.Stop()
	for _, e := range envs {
		k.send(ctx, wire.ChanOps, e) // a failed publish is sent again at the next tick
		for _, ok := got[e.ID]; !ok; _, ok = got[e.ID] {
			select {
			case a := <-acks:
				if _, seen := got[a.OpID]; !seen && a.Status != wire.StatusRetry {
					got[a.OpID] = a
					onAck()
				}
			case <-tick.C:
				k.send(ctx, wire.ChanOps, e)
			case <-ctx.Done():
				return got, fmt.Errorf("kiosk %s: %d of %d acked: %w", k.id, len(got), len(envs), ctx.Err())
			}
		}
	}
	return got, nil
}

// checkAcks: every operation acked with outcome applied (a resend the
// database recognised comes back as duplicate, with the first outcome).
func checkAcks(t *testing.T, acks map[string]wire.Ack, ids []string) {
	t.Helper()
	status := map[wire.Status]int{}
	for _, id := range ids {
		a, ok := acks[id]
		switch {
		case !ok:
			t.Errorf("operation %s: no ack", id)
		case a.Outcome != string(outcome.Applied):
			t.Errorf("operation %s: ack %s %s (%s), want outcome applied", id, a.Status, a.Outcome, a.Message)
		}
		status[a.Status]++
	}
	t.Logf("ack statuses: %v", status)
}

// checkOnce: each operation is in operations exactly once, and each card
// shows its effects exactly once.
func checkOnce(ctx context.Context, t *testing.T, db *store.DB, ids []string, cards int) {
	t.Helper()
	rep := &report{Sent: len(ids), Acked: len(ids)}
	if err := verify(ctx, db, ids, rep); err != nil {
		t.Fatal(err)
	}
	if rep.Recorded != len(ids) || rep.Duplicate != 0 {
		t.Errorf("operations: %d of %d recorded, %d extra rows; want each exactly once", rep.Recorded, len(ids), rep.Duplicate)
	}
	for _, q := range []struct {
		what, sql string
		want      int
	}{
		{"cards", `SELECT count(*) FROM cards`, cards},
		{"active cards with reader_count 2", `SELECT count(*) FROM cards WHERE reader_count = 2 AND activated_at IS NOT NULL`, cards},
		{"notifications", `SELECT count(*) FROM notifications`, cards},
		{"operations", `SELECT count(*) FROM operations`, len(ids)},
	} {
		var got int
		if err := db.SQL().QueryRowContext(ctx, q.sql).Scan(&got); err != nil {
			t.Fatalf("%s: %v", q.what, err)
		}
		if got != q.want {
			t.Errorf("%s = %d, want %d", q.what, got, q.want)
		}
	}
}

// metricSum adds up every series of the counter name on /metrics at addr.
func metricSum(ctx context.Context, addr, name string) float64 {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+addr+"/metrics", nil)
	if err != nil {
		return 0
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0
	}
	defer resp.Body.Close()
	var sum float64
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		line := sc.Text()
		if !strings.HasPrefix(line, name+"{") && !strings.HasPrefix(line, name+" ") {
			continue
		}
		if v, err := strconv.ParseFloat(line[strings.LastIndexByte(line, ' ')+1:], 64); err == nil {
			sum += v
		}
	}
	return sum
}

// prefixLog writes a child process's output to the test log, one line
// per entry, named by the process.
type prefixLog struct {
	t    *testing.T
	name string
}

func (w prefixLog) Write(b []byte) (int, error) {
	for _, l := range strings.Split(strings.TrimRight(string(b), "\n"), "\n") {
		w.t.Log(w.name + ": " + l)
	}
	return len(b), nil
}
