package audit_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"

	"cnskiosk.dev/cloud/internal/audit"
	"cnskiosk.dev/cloud/internal/store/storetest"
)

// TestAppendBatch appends batches spanning several partitions from
// concurrent transactions, then a batch with one bad record, which must
// write nothing.
func TestAppendBatch(t *testing.T) {
	for _, d := range storetest.Dialects() {
		t.Run(string(d), func(t *testing.T) {
			db := storetest.Open(t, d)
			ctx := context.Background()
			const writers, batches, size = 4, 5, 7
			var wg sync.WaitGroup
			errs := make(chan error, writers)
			for w := range writers {
				wg.Go(func() {
					for b := range batches {
						rs := make([]audit.Record, size)
						for i := range rs {
							rs[i] = audit.Record{Device: fmt.Sprintf("kiosk-%02d", (w+i)%9), Action: "activation",
								OpID: fmt.Sprintf("%d-%d-%d", w, b, i)}
						}
						if err := db.InTx(ctx, func(tx *sql.Tx) error { return audit.AppendBatch(ctx, tx, db.Dialect(), rs) }); err != nil {
							errs <- err
							return
						}
					}
				})
			}
			wg.Wait()
			close(errs)
			for err := range errs {
				t.Fatalf("AppendBatch: %v", err)
			}
			bad := []audit.Record{{Device: "kiosk-01", Action: "activation"}, {Device: "kiosk-02", Action: "activation", Detail: strings.Repeat("x", audit.MaxField+1)}}
			err := db.InTx(ctx, func(tx *sql.Tx) error { return audit.AppendBatch(ctx, tx, db.Dialect(), bad) })
			if !errors.Is(err, audit.ErrRecord) {
				t.Fatalf("batch with a bad record: err = %v, want ErrRecord", err)
			}
			rep, err := audit.Verify(ctx, db.SQL(), db.Dialect())
			if err != nil {
				t.Fatal(err)
			}
			if want := writers * batches * size; rep.Records != want || !rep.OK() {
				t.Fatalf("report: %d records, issues %v; want %d, none", rep.Records, rep.Issues, want)
			}
		})
	}
}
