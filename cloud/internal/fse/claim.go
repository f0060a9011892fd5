package fse

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"cnskiosk.dev/cloud/internal/store"
	"cnskiosk.dev/cloud/internal/ticket"
)

type request struct {
	ID, CardTEAM, CF, OpID string
	Attempts               int
	Consents               Consents
	lease                  int64 // claimed_until written by our claim: the token
}

// claim takes up to Batch due rows and sets their lease.
func (w *Worker) claim(ctx context.Context) ([]request, error) {
	now := w.o.Now().UnixMicro()
	lease := w.o.Now().Add(w.o.Lease).UnixMicro()
	lock := ""
	if w.db.Dialect() == store.Postgres {
		lock = " FOR UPDATE SKIP LOCKED"
	}
	q := `UPDATE fse_requests SET claimed_until = $1 WHERE id IN (
		SELECT id FROM fse_requests WHERE status = 'pending' AND next_at <= $2 AND claimed_until < $2
		ORDER BY next_at, id LIMIT $3` + lock + `)
		RETURNING id, card_team, cf, op_id, attempts`
	var out []request
	err := w.db.InTx(ctx, func(tx *sql.Tx) error {
		out = out[:0]
		rows, err := tx.QueryContext(ctx, q, lease, now, w.o.Batch)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			r := request{lease: lease}
			if err := rows.Scan(&r.ID, &r.CardTEAM, &r.CF, &r.OpID, &r.Attempts); err != nil {
				return err
			}
			out = append(out, r)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("fse: claim: %w", err)
	}
	for i := range out {
		if out[i].Consents, err = w.consents(ctx, out[i].OpID); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// consents reads the consents recorded by the same operation.
func (w *Worker) consents(ctx context.Context, opID string) (Consents, error) {
	var c Consents
	var given string
	err := w.db.SQL().QueryRowContext(ctx, `SELECT policy, consents FROM consents WHERE op_id = $1 ORDER BY at DESC LIMIT 1`, opID).Scan(&c.Policy, &given)
	if err == sql.ErrNoRows {
		return c, nil
	}
	if err != nil {
		return c, fmt.Errorf("fse: consents: %w", err)
	}
	if given != "" {
		c.Given = strings.Split(given, ",")
	}
	return c, nil
}

// release gives a claimed row back without counting an attempt (shutdown).
func (w *Worker) release(ctx context.Context, r request) error {
	_, err := w.db.SQL().ExecContext(ctx, `UPDATE fse_requests SET claimed_until = 0 WHERE id = $1 AND claimed_until = $2`, r.ID, r.lease)
	return err
}

// finish records the result of one attempt if the lease is still ours.
func (w *Worker) finish(ctx context.Context, r request, res string, callErr error) error {
	now := w.o.Now()
	attempts := r.Attempts + 1
	status, next, msg := "pending", now.Add(w.delay(attempts)).UnixMicro(), ""
	if callErr != nil {
		msg = truncate(callErr.Error(), 500)
	}
	var tk *ticket.New
	switch {
	case res == "ok":
		status = "done"
	case res == "cf":
		status = "failed_cf"
		tk = &ticket.New{Queue: ticket.L1, Subject: "FSE: codice fiscale errato o mancante",
			Detail: msg, Task: ticket.TaskContactCitizen,
			TaskNote: "Contattare il cittadino e invitarlo allo sportello Scelta e Revoca della propria ASL."}
	case attempts >= w.o.MaxAttempts:
		status = "failed_tech"
		tk = &ticket.New{Queue: ticket.L2, Subject: fmt.Sprintf("FSE: errore tecnico dopo %d tentativi", attempts), Detail: msg}
	}
	return w.db.InTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE fse_requests SET status = $1, attempts = $2, next_at = $3,
			last_error = $4, claimed_until = 0, updated_at = $5 WHERE id = $6 AND claimed_until = $7`,
			status, attempts, next, msg, now.UnixMicro(), r.ID, r.lease)
		if err != nil {
			return fmt.Errorf("fse: finish: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			w.log.WarnContext(ctx, "fse lease lost, result dropped", "request", r.ID)
			return nil
		}
		if tk == nil {
			return nil
		}
		tk.CardTEAM, tk.CF, tk.Source, tk.Ref = r.CardTEAM, r.CF, "fse", r.ID
		_, err = ticket.OpenTx(ctx, tx, *tk, now)
		return err
	})
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n]
}
