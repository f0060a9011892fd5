package audit_test

import (
	"context"
	"database/sql"
	"fmt"
	"sync"
	"testing"

	"cnskiosk.dev/cloud/internal/audit"
	"cnskiosk.dev/cloud/internal/store/storetest"
)

// TestConcurrentAppends appends from several devices at once; every chain
// must come out whole, with no seq used twice.
func TestConcurrentAppends(t *testing.T) {
	for _, d := range storetest.Dialects() {
		t.Run(string(d), func(t *testing.T) {
			db := storetest.Open(t, d)
			ctx := context.Background()
			const devices, each = 6, 15
			var wg sync.WaitGroup
			errs := make(chan error, devices)
			for i := range devices {
				wg.Go(func() {
					dev := fmt.Sprintf("kiosk-%02d", i%4) // some devices share a partition
					for j := range each {
						r := audit.Record{Device: dev, Action: "reader_request", OpID: fmt.Sprintf("%d-%d", i, j)}
						if err := db.InTx(ctx, func(tx *sql.Tx) error { return audit.Append(ctx, tx, db.Dialect(), r) }); err != nil {
							errs <- err
							return
						}
					}
				})
			}
			wg.Wait()
			close(errs)
			for err := range errs {
				t.Fatalf("Append: %v", err)
			}
			rep, err := audit.Verify(ctx, db.SQL(), db.Dialect())
			if err != nil {
				t.Fatal(err)
			}
			if rep.Records != devices*each || !rep.OK() {
				t.Fatalf("report: %d records, issues %v; want %d, none", rep.Records, rep.Issues, devices*each)
			}
		})
	}
}
