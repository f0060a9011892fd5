package fse

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"cnskiosk.dev/cloud/internal/clip"
	"cnskiosk.dev/cloud/internal/lease"
	"cnskiosk.dev/cloud/internal/ticket"
)

type request struct {
	ID, CardTEAM, CF, OpID string
	Attempts               int
	Consents               Consents
	tok                    lease.Token // our claim: the row is ours while claimed_until = tok
}

// claim takes up to Batch due rows and reads their consents.
func (w *Worker) claim(ctx context.Context) ([]request, lease.Token, error) {
	out, tok, err := lease.Claim(ctx, w.q, "id, card_team, cf, op_id, attempts", func(rs *sql.Rows) (request, error) {
		var r request
		return r, rs.Scan(&r.ID, &r.CardTEAM, &r.CF, &r.OpID, &r.Attempts)
	})
	if err != nil {
		return nil, 0, fmt.Errorf("fse: %w", err)
	}
	for i := range out {
		out[i].tok = tok
		if out[i].Consents, err = w.consents(ctx, out[i].OpID); err != nil {
			return nil, 0, errors.Join(err, w.q.Release(context.WithoutCancel(ctx), tok, ids(out)...))
		}
	}
	return out, tok, nil
}

func ids(rs []request) []string {
	out := make([]string, len(rs))
	for i, r := range rs {
		out[i] = r.ID
	}
	return out
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

// finish records the result of one attempt if the lease is still ours.
func (w *Worker) finish(ctx context.Context, r request, res string, callErr error) error {
	now := w.o.Now()
	attempts := r.Attempts + 1
	status, next, msg := "pending", now.Add(w.backoff.Delay(attempts)).UnixMicro(), ""
	if callErr != nil {
		msg = clip.String(callErr.Error(), 500)
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
			status, attempts, next, msg, now.UnixMicro(), r.ID, int64(r.tok))
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
