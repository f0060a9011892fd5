package notify_test

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"

	"cnskiosk.dev/cloud/internal/notify"
	"cnskiosk.dev/cloud/internal/notify/smssim"
	"cnskiosk.dev/cloud/internal/store"
	"cnskiosk.dev/cloud/internal/store/storetest"
	"cnskiosk.dev/cloud/internal/vault"
)

// BenchmarkSMSThroughput sends b.N second-halves notifications (vault open,
// split, HTTP POST to the SMS simulator, mark sent). The baseline posts the
// same messages straight to the simulator, without database or vault.
func BenchmarkSMSThroughput(b *testing.B) {
	for _, d := range storetest.Dialects() {
		b.Run(string(d)+"/worker", func(b *testing.B) {
			db := storetest.Open(b, d)
			v := newVaultB(b)
			addCardB(b, db, v)
			for i := range b.N {
				addNotification(b, db, fmt.Sprintf("n%08d", i), notify.KindSecondHalves, team, "sms", "+393331234567")
			}
			g, sms := smsGatewayB(b)
			w, err := notify.NewWorker(db, notify.Options{Email: sms, SMS: sms, Vault: v, Batch: 64}, slog.New(slog.DiscardHandler))
			if err != nil {
				b.Fatal(err)
			}
			b.ResetTimer()
			for sent := 0; sent < b.N; {
				n, err := w.RunOnce(context.Background())
				if err != nil {
					b.Fatal(err)
				}
				sent += n
			}
			b.StopTimer()
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "msgs/s")
			if got := len(g.Messages()); got != b.N {
				b.Fatalf("sent %d, want %d", got, b.N)
			}
		})
	}
	b.Run("baseline_direct_post", func(b *testing.B) {
		_, sms := smsGatewayB(b)
		for i := 0; b.Loop(); i++ {
			if err := sms.Send(context.Background(), notify.Message{ID: fmt.Sprint(i), To: "+393331234567", Body: "x"}); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "msgs/s")
	})
}

// BenchmarkRunOnceBehindInserts interleaves what the engine and the worker
// do under load: a batch of 32 notifications committed (not timed), then
// one RunOnce (timed) that claims, reads the secrets, sends to a sender
// that does nothing and records them. The table keeps the rows sent
// before, as in production. Per notification.
func BenchmarkRunOnceBehindInserts(b *testing.B) {
	for _, d := range storetest.Dialects() {
		b.Run(string(d), func(b *testing.B) {
			db := storetest.Open(b, d)
			v := newVaultB(b)
			const cards, batch = 64, 32
			for i := range cards {
				addCard(b, db, v, fmt.Sprintf("8038000090%010d", i), secrets)
			}
			w, err := notify.NewWorker(db, notify.Options{Email: nopSender{}, SMS: nopSender{}, Vault: v, Batch: batch},
				slog.New(slog.DiscardHandler))
			if err != nil {
				b.Fatal(err)
			}
			var q strings.Builder
			q.WriteString(`INSERT INTO notifications (id, kind, card_team, channel, address, status, next_at, op_id, created_at) VALUES `)
			for i := range batch {
				if i > 0 {
					q.WriteString(", ")
				}
				fmt.Fprintf(&q, "($%d, 'second_halves', $%d, 'email', 'mario.rossi@example.it', 'pending', $%d, $%d, $%d)", 5*i+1, 5*i+2, 5*i+3, 5*i+4, 5*i+5)
			}
			args := make([]any, 5*batch)
			n := 0
			b.ResetTimer()
			for sent := 0; sent < b.N; {
				b.StopTimer()
				now := time.Now().UnixMicro()
				for i := range batch {
					id := fmt.Sprintf("n%09d", n)
					args[5*i], args[5*i+1], args[5*i+2], args[5*i+3], args[5*i+4] = id, fmt.Sprintf("8038000090%010d", n%cards), now, "op-"+id, now
					n++
				}
				if _, err := db.SQL().Exec(q.String(), args...); err != nil {
					b.Fatal(err)
				}
				b.StartTimer()
				k, err := w.RunOnce(context.Background())
				if err != nil {
					b.Fatal(err)
				}
				sent += k
			}
		})
	}
}

type nopSender struct{}

func (nopSender) Send(context.Context, notify.Message) error { return nil }

func newVaultB(b *testing.B) *vault.Vault                           { return newVault(b) }
func addCardB(b *testing.B, db *store.DB, v *vault.Vault)           { addCard(b, db, v, team, secrets) }
func smsGatewayB(b *testing.B) (*smssim.Gateway, notify.SMSGateway) { return smsGateway(b) }
