package notify_test

import (
	"context"
	"fmt"
	"log/slog"
	"testing"

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

func newVaultB(b *testing.B) *vault.Vault                           { return newVault(b) }
func addCardB(b *testing.B, db *store.DB, v *vault.Vault)           { addCard(b, db, v, team, secrets) }
func smsGatewayB(b *testing.B) (*smssim.Gateway, notify.SMSGateway) { return smsGateway(b) }
