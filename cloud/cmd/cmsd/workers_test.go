package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"cnskiosk.dev/cloud/internal/demodata"
	"cnskiosk.dev/cloud/internal/notify"
	"cnskiosk.dev/cloud/internal/store"
	"cnskiosk.dev/cloud/internal/store/storetest"
	"cnskiosk.dev/cloud/internal/vault"
)

// TestSendersNeedSpoolFlag: without real senders the clear-text spool is
// used only when asked for.
func TestSendersNeedSpoolFlag(t *testing.T) {
	tests := []struct {
		name string
		w    workerConfig
		want error
	}{
		{"nothing", workerConfig{}, ErrNoSender},
		{"sms only", workerConfig{smsURL: "http://127.0.0.1:1/sms"}, ErrNoSender},
		{"dev spool", workerConfig{devSpool: true}, nil},
		{"both senders", workerConfig{smtpAddr: "127.0.0.1:25", smtpFrom: "cms@example.org", smsURL: "http://127.0.0.1:1/sms"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := senders(config{data: t.TempDir(), workers: tt.w}, testLogger(t))
			if !errors.Is(err, tt.want) {
				t.Errorf("senders() error = %v, want %v", err, tt.want)
			}
		})
	}
}

// TestSpoolAppends: the development spool appends one record per message
// to a 0600 mailbox file of its channel, when the worker flushes it.
func TestSpoolAppends(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "outbox")
	s := newSpoolSender(dir, "email.mbox")
	msgs := []notify.Message{
		{ID: "n1", To: "a@example.it", Subject: "uno", Body: "primo"},
		{ID: "n2", To: "b@example.it", Subject: "due", Body: "secondo"},
	}
	for _, m := range msgs {
		if err := s.Send(context.Background(), m); err != nil {
			t.Fatalf("Send(%s) = %v", m.ID, err)
		}
	}
	path := filepath.Join(dir, "email.mbox")
	if b, err := os.ReadFile(path); len(b) != 0 {
		t.Fatalf("before Flush the spool holds %q (%v), want nothing", b, err)
	}
	must(t, s.Flush(context.Background()))
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	want := "From n1\nTo: a@example.it\nSubject: uno\nMessage-ID: n1\n\nprimo\n\n" +
		"From n2\nTo: b@example.it\nSubject: due\nMessage-ID: n2\n\nsecondo\n\n"
	if got := string(b); got != want {
		t.Errorf("spool = %q, want %q", got, want)
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if got := fi.Mode().Perm(); got != 0o600 {
		t.Errorf("mode = %v, want 0600", got)
	}
}

// spoolIDs returns the Message-IDs of a mailbox of the spool, in order
// (none if the file does not exist).
func spoolIDs(t *testing.T, path string) []string {
	t.Helper()
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	must(t, err)
	var ids []string
	for _, line := range strings.Split(string(b), "\n") {
		if id, ok := strings.CutPrefix(line, "Message-ID: "); ok {
			ids = append(ids, id)
		}
	}
	return ids
}

// spoolWorker returns a notification worker on db that sends through the
// development spool of data, as cmsd --dev-spool wires it.
func spoolWorker(t *testing.T, db *store.DB, v *vault.Vault, data string, now func() time.Time) *notify.Worker {
	t.Helper()
	email, sms, err := senders(config{data: data, workers: workerConfig{devSpool: true}}, testLogger(t))
	must(t, err)
	w, err := notify.NewWorker(db, notify.Options{Email: email, SMS: sms, Vault: v, Now: now, BaseDelay: time.Minute,
		Jitter: func(time.Duration) time.Duration { return 0 }}, testLogger(t))
	must(t, err)
	return w
}

// spoolDB returns a database with one card, its vault, and n second-halves
// notices for it, every third by SMS; it returns the ids by channel.
func spoolDB(t *testing.T, d store.Dialect, n int) (*store.DB, *vault.Vault, demodata.Citizen, map[string][]string) {
	t.Helper()
	db := storetest.Open(t, d)
	key := filepath.Join(t.TempDir(), "vault.key")
	must(t, vault.Generate(key))
	v, err := vault.Load(key)
	must(t, err)
	c := seedCard(t, db, v)
	ids := map[string][]string{}
	for i := range n {
		id, ch, addr := fmt.Sprintf("n%03d", i), "email", "mario.rossi@example.it"
		if i%3 == 0 {
			ch, addr = "sms", "+393331234567"
		}
		_, err := db.SQL().Exec(`INSERT INTO notifications (id, kind, card_team, channel, address, status, next_at, op_id, created_at)
			VALUES ($1, 'second_halves', $2, $3, $4, 'pending', 0, $5, 0)`, id, c.TEAM, ch, addr, "op-"+id)
		must(t, err)
		ids[ch] = append(ids[ch], id)
	}
	return db, v, c, ids
}

// sentIDs returns the ids of the notices recorded sent on a channel.
func sentIDs(t *testing.T, db *store.DB, channel string) []string {
	t.Helper()
	rs, err := db.SQL().Query(`SELECT id FROM notifications WHERE status = 'sent' AND channel = $1 ORDER BY id`, channel)
	must(t, err)
	defer rs.Close()
	var ids []string
	for rs.Next() {
		var id string
		must(t, rs.Scan(&id))
		ids = append(ids, id)
	}
	must(t, rs.Err())
	return ids
}

// TestSpoolHoldsSentNotices: after the worker ran through the spool (two
// batches), each mailbox holds exactly one record per notice recorded
// sent on its channel, and every notice was.
func TestSpoolHoldsSentNotices(t *testing.T) {
	for _, d := range storetest.Dialects() {
		t.Run(string(d), func(t *testing.T) {
			db, v, c, ids := spoolDB(t, d, 40)
			data := t.TempDir()
			w := spoolWorker(t, db, v, data, nil)
			for {
				n, err := w.RunOnce(context.Background())
				must(t, err)
				if n == 0 {
					break
				}
			}
			for ch, file := range map[string]string{"email": "email.mbox", "sms": "sms.mbox"} {
				got := spoolIDs(t, filepath.Join(data, "outbox", file))
				slices.Sort(got)
				if sent := sentIDs(t, db, ch); !slices.Equal(got, sent) || !slices.Equal(sent, ids[ch]) {
					t.Errorf("%s: spool holds %v, recorded sent %v; want both %v", ch, got, sent, ids[ch])
				}
			}
			b, err := os.ReadFile(filepath.Join(data, "outbox", "email.mbox"))
			must(t, err)
			_, second := vault.DefaultPolicy.Split(vault.Secrets{PIN: c.PIN, PUK: c.PUK})
			if !strings.Contains(string(b), "Seconda parte del PIN: "+second.PIN+"\n") {
				t.Error("the e-mail spool lacks the second half of the PIN")
			}
		})
	}
}

// TestSpoolWriteFailureRetried: a spool that cannot be written (a full
// disk: the mailbox is /dev/full) fails the batch's Flush, so its notices
// stay pending with the error (and no secret) and are sent once the disk
// has room; the SMS spool, written, has its notices recorded sent. The
// records of the failed write are not written later: each notice is in
// the mailbox once.
func TestSpoolWriteFailureRetried(t *testing.T) {
	db, v, c, ids := spoolDB(t, store.SQLite, 6)
	data := t.TempDir()
	outbox := filepath.Join(data, "outbox")
	must(t, os.MkdirAll(outbox, 0o700))
	must(t, os.Symlink("/dev/full", filepath.Join(outbox, "email.mbox")))
	now := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	w := spoolWorker(t, db, v, data, func() time.Time { return now })
	n, err := w.RunOnce(context.Background())
	if err != nil || n != 6 {
		t.Fatalf("RunOnce = %d, %v; want 6, nil", n, err)
	}
	for _, id := range ids["email"] {
		var status, lastErr string
		var attempts int
		must(t, db.SQL().QueryRow(`SELECT status, attempts, last_error FROM notifications WHERE id = $1`, id).Scan(&status, &attempts, &lastErr))
		if status != "pending" || attempts != 1 || !strings.Contains(lastErr, "no space left on device") {
			t.Errorf("%s after a failed spool write: %s/%d %q, want pending/1 with the write error", id, status, attempts, lastErr)
		}
		if _, second := vault.DefaultPolicy.Split(vault.Secrets{PIN: c.PIN, PUK: c.PUK}); strings.Contains(lastErr, second.PIN) ||
			strings.Contains(lastErr, second.PUK) {
			t.Errorf("%s: last_error holds a secret", id)
		}
	}
	if sent := sentIDs(t, db, "sms"); !slices.Equal(sent, ids["sms"]) {
		t.Errorf("SMS recorded sent %v, want %v", sent, ids["sms"])
	}

	must(t, os.Remove(filepath.Join(outbox, "email.mbox"))) // the disk has room again
	now = now.Add(2 * time.Minute)
	if n, err := w.RunOnce(context.Background()); err != nil || n != 4 {
		t.Fatalf("second RunOnce = %d, %v; want 4, nil", n, err)
	}
	got := spoolIDs(t, filepath.Join(outbox, "email.mbox"))
	if sent := sentIDs(t, db, "email"); !slices.Equal(got, sent) || !slices.Equal(sent, ids["email"]) {
		t.Errorf("e-mail spool holds %v, recorded sent %v; want both %v", got, sent, ids["email"])
	}
}

// TestSpoolPartialWriteUndone: a write that stops part-way (here at the
// file size limit) is cut back, so the mailbox never ends in half a
// record, and the next Flush appends whole records after the last good
// one. The limit applies to the whole process, so the test runs in a
// child process of its own.
func TestSpoolPartialWriteUndone(t *testing.T) {
	if dir := os.Getenv("CNS_SPOOL_PARTIAL_DIR"); dir != "" {
		spoolPartialWrite(t, dir)
		return
	}
	dir := t.TempDir()
	cmd := exec.Command(os.Args[0], "-test.run=^TestSpoolPartialWriteUndone$", "-test.v")
	cmd.Env = append(os.Environ(), "CNS_SPOOL_PARTIAL_DIR="+dir)
	out, err := cmd.CombinedOutput()
	if err != nil || !strings.Contains(string(out), "--- PASS: TestSpoolPartialWriteUndone") {
		t.Fatalf("child: %v\n%s", err, out)
	}
}

// spoolPartialWrite is the child's part of TestSpoolPartialWriteUndone.
func spoolPartialWrite(t *testing.T, dir string) {
	ctx := context.Background()
	s := newSpoolSender(dir, "email.mbox")
	path := filepath.Join(dir, "email.mbox")
	must(t, s.Send(ctx, notify.Message{ID: "n1", To: "a@example.it", Subject: "uno", Body: "primo"}))
	must(t, s.Flush(ctx))
	first, err := os.ReadFile(path)
	must(t, err)
	var old syscall.Rlimit
	must(t, syscall.Getrlimit(syscall.RLIMIT_FSIZE, &old))
	lim := old
	lim.Cur = uint64(len(first)) + 100 // room for a part of the next batch
	must(t, syscall.Setrlimit(syscall.RLIMIT_FSIZE, &lim))
	for i := range 5 {
		must(t, s.Send(ctx, notify.Message{ID: fmt.Sprintf("big%d", i), To: "b@example.it", Subject: "due", Body: strings.Repeat("x", 40)}))
	}
	err = s.Flush(ctx)
	must(t, syscall.Setrlimit(syscall.RLIMIT_FSIZE, &old))
	if !errors.Is(err, syscall.EFBIG) {
		t.Fatalf("Flush past the size limit = %v, want EFBIG", err)
	}
	if b, _ := os.ReadFile(path); string(b) != string(first) {
		t.Fatalf("after the failed write the spool is %q, want %q", b, first)
	}
	must(t, s.Send(ctx, notify.Message{ID: "n2", To: "c@example.it", Subject: "tre", Body: "terzo"}))
	must(t, s.Flush(ctx))
	if got := spoolIDs(t, path); !slices.Equal(got, []string{"n1", "n2"}) {
		t.Errorf("spool holds %v, want [n1 n2]", got)
	}
}

// BenchmarkSpoolSend measures the development spool per message, in
// batches of 32 followed by the Flush the worker calls after a batch.
func BenchmarkSpoolSend(b *testing.B) {
	s := newSpoolSender(b.TempDir(), "email.mbox")
	body := strings.Repeat("Seconda parte del PIN: 05813\n", 12)
	m := notify.Message{ID: "0197a3c2-7d1e-7b8f-9c3a-4d5e6f708192", Kind: notify.KindSecondHalves, Channel: "email",
		To: "mario.rossi@example.it", Subject: "Tessera Sanitaria: seconda parte di PIN e PUK", Body: body}
	flush := func() {}
	if f, ok := any(s).(interface{ Flush(context.Context) error }); ok {
		flush = func() {
			if err := f.Flush(context.Background()); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		if err := s.Send(context.Background(), m); err != nil {
			b.Fatal(err)
		}
		if i%32 == 31 {
			flush()
		}
	}
	flush()
}
