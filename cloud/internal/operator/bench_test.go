package operator

import (
	"database/sql"
	"fmt"
	"testing"
	"time"

	"cnskiosk.dev/cloud/internal/store"
	"cnskiosk.dev/shared/outcome"
)

// fakeRow is a row of the batch's statement.
type fakeRow struct {
	cf, sid                 string
	menus, counters, sMenus string
	dev                     string
	from, to                int64
}

func (r fakeRow) Scan(dst ...any) error {
	*dst[0].(*string) = r.cf
	*dst[1].(*sql.NullString) = sql.NullString{String: r.sid, Valid: true}
	*dst[2].(*int) = 1
	*dst[3].(*string) = r.menus
	*dst[4].(*string) = r.counters
	*dst[5].(*sql.NullString) = sql.NullString{String: r.dev, Valid: true}
	*dst[6].(*sql.NullString) = sql.NullString{String: r.sMenus, Valid: r.sMenus != ""}
	*dst[7].(*sql.NullInt64) = sql.NullInt64{Int64: r.from, Valid: true}
	*dst[8].(*sql.NullInt64) = sql.NullInt64{Int64: r.to, Valid: true}
	return nil
}

// BenchmarkBatch is the operator check of one engine batch of 64
// activations from 32 kiosks, one session each, on PostgreSQL: the
// statement and its arguments, the rows read, the verdicts.
func BenchmarkBatch(b *testing.B) {
	at := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	qs := make([]Query, 64)
	rows := make([]fakeRow, 32)
	for i := range rows {
		rows[i] = fakeRow{cf: "BNCLRA75M41D612B", sid: fmt.Sprintf("ops_01KFARGQVR9RFMMKD07RCV8%03d", i),
			menus: "activation,revocation,reader,lookup", counters: "careggi-cup-01,careggi-cup-02,careggi-cup-03",
			sMenus: "activation,reader", dev: fmt.Sprintf("kiosk-%02d", i), from: at.Add(-time.Hour).UnixMicro(), to: at.Add(time.Hour).UnixMicro()}
	}
	for i := range qs {
		r := rows[i%len(rows)]
		qs[i] = Query{OperatorCF: r.cf, Session: r.sid, Device: r.dev, Counter: "careggi-cup-03", Menu: "activation", At: at, RequireSession: true}
	}
	b.ReportAllocs()
	for b.Loop() {
		bt, _, _ := NewBatch(store.Postgres, qs)
		for _, r := range rows {
			if err := bt.Scan(r); err != nil {
				b.Fatal(err)
			}
		}
		for _, v := range bt.Verdicts() {
			if v.Code != outcome.Applied {
				b.Fatal(v)
			}
		}
	}
}
