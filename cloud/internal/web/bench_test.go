package web_test

import (
	"context"
	"database/sql"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"
)

// seedOps inserts n operations spread over a year.
func seedOps(b *testing.B, e *env, n int) {
	b.Helper()
	start := time.Date(2025, 1, 1, 8, 0, 0, 0, time.UTC).UnixMicro()
	err := e.db.InTx(context.Background(), func(tx *sql.Tx) error {
		st, err := tx.Prepare(`INSERT INTO operations (op_id, dev, seq, type, card_team, operator_cf, outcome, at, applied_at)
			VALUES ($1, $2, $3, 'activation', $4, $5, $6, $7, $7)`)
		if err != nil {
			return err
		}
		defer st.Close()
		outcomes := []string{"applied", "applied", "applied", "card_not_found", "registry_data_wrong"}
		for i := range n {
			_, err := st.Exec(fmt.Sprintf("op%08d", i), fmt.Sprintf("kiosk-%03d", i%500), i, fmt.Sprintf("8038000009%010d", i%20000),
				fmt.Sprintf("OPR%013d", i%300), outcomes[i%len(outcomes)], start+int64(i)*300_000_000)
			if err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
}

func benchGet(b *testing.B, c *http.Client, u string) {
	b.ReportAllocs()
	for b.Loop() {
		res, err := c.Get(u)
		if err != nil {
			b.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != 200 {
			b.Fatalf("%s: %d", u, res.StatusCode)
		}
	}
}

// BenchmarkConsole measures pages and API reads over 100k operations,
// beside a static handler on the same kind of server as the baseline.
func BenchmarkConsole(b *testing.B) {
	e := newEnv(b)
	seedOps(b, e, 100_000)
	c := e.client(b, "admin")
	static := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write([]byte("ok\n")) }))
	b.Cleanup(static.Close)
	b.Run("baseline_static", func(b *testing.B) { benchGet(b, http.DefaultClient, static.URL) })
	b.Run("healthz", func(b *testing.B) { benchGet(b, http.DefaultClient, e.srv.URL+"/healthz") })
	b.Run("page_devices", func(b *testing.B) { benchGet(b, c, e.srv.URL+"/dispositivi") })
	b.Run("page_operations_latest", func(b *testing.B) { benchGet(b, c, e.srv.URL+"/operazioni") })
	deep := fmt.Sprintf("%d.op%08d", time.Date(2025, 1, 1, 8, 0, 0, 0, time.UTC).UnixMicro()+1000*300_000_000, 1000)
	b.Run("page_operations_deep_page", func(b *testing.B) { benchGet(b, c, e.srv.URL+"/operazioni?prima="+deep) })
	b.Run("api_operations_by_team", func(b *testing.B) { benchGet(b, c, e.srv.URL+"/api/v1/operations?team=80380000090000000042") })
	b.Run("api_operations_by_operator_month", func(b *testing.B) {
		benchGet(b, c, e.srv.URL+"/api/v1/operations?operator=OPR0000000000007&from=2025-03-01&to=2025-03-31")
	})
	b.Run("api_operations_by_outcome", func(b *testing.B) { benchGet(b, c, e.srv.URL+"/api/v1/operations?outcome=registry_data_wrong") })
}
