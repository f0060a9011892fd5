package notify

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"cnskiosk.dev/cloud/internal/store"
	"cnskiosk.dev/cloud/internal/vault"
)

type row struct {
	ID, Kind, CardTEAM, Channel, Address string
	Attempts                             int
	lease                                int64
}

func (w *Worker) claim(ctx context.Context) ([]row, error) {
	now := w.o.Now()
	lease := now.Add(w.o.Lease).UnixMicro()
	lock := ""
	if w.db.Dialect() == store.Postgres {
		lock = " FOR UPDATE SKIP LOCKED"
	}
	q := `UPDATE notifications SET claimed_until = $1 WHERE id IN (
		SELECT id FROM notifications WHERE status = 'pending' AND next_at <= $2 AND claimed_until < $2
		ORDER BY next_at, id LIMIT $3` + lock + `)
		RETURNING id, kind, card_team, channel, address, attempts`
	var out []row
	err := w.db.InTx(ctx, func(tx *sql.Tx) error {
		out = out[:0]
		rs, err := tx.QueryContext(ctx, q, lease, now.UnixMicro(), w.o.Batch)
		if err != nil {
			return err
		}
		defer rs.Close()
		for rs.Next() {
			r := row{lease: lease}
			if err := rs.Scan(&r.ID, &r.Kind, &r.CardTEAM, &r.Channel, &r.Address, &r.Attempts); err != nil {
				return err
			}
			out = append(out, r)
		}
		return rs.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("notify: claim: %w", err)
	}
	return out, nil
}

// build writes the message; for second halves it opens the card's secrets.
func (w *Worker) build(ctx context.Context, r row) (Message, error) {
	m := Message{ID: r.ID, Kind: r.Kind, Channel: r.Channel, To: r.Address}
	if r.Kind != KindSecondHalves {
		m.Subject, m.Body = reissueText(r.CardTEAM)
		if r.Channel == "sms" {
			m.Body = m.Subject + ". Ricevera' la nuova tessera all'indirizzo di residenza."
		}
		return m, nil
	}
	var s vault.Sealed
	err := w.db.SQL().QueryRowContext(ctx, `SELECT key_id, nonce, sealed FROM card_secrets WHERE team = $1`, r.CardTEAM).
		Scan(&s.KeyID, &s.Nonce, &s.Ciphertext)
	if errors.Is(err, sql.ErrNoRows) {
		return m, fmt.Errorf("%w: none stored for the card", ErrSecret)
	}
	if err != nil {
		return m, fmt.Errorf("notify: read secrets: %w", err)
	}
	sec, err := w.o.Vault.Open(r.CardTEAM, s)
	if err != nil {
		return m, fmt.Errorf("%w: %w", ErrSecret, err)
	}
	_, second := w.o.Policy.Split(sec)
	m.Subject, m.Body = secondHalvesText(r.CardTEAM, second)
	if r.Channel == "sms" {
		m.Body = smsSecondHalves(second)
	}
	return m, nil
}

func (w *Worker) release(ctx context.Context, rows []row) error {
	for _, r := range rows {
		_, err := w.db.SQL().ExecContext(ctx, `UPDATE notifications SET claimed_until = 0 WHERE id = $1 AND claimed_until = $2`, r.ID, r.lease)
		if err != nil {
			return fmt.Errorf("notify: release: %w", err)
		}
	}
	return nil
}

// finish records the attempt if the lease is still ours.
func (w *Worker) finish(ctx context.Context, r row, res string, sendErr error) error {
	now := w.o.Now()
	msg := ""
	if sendErr != nil {
		msg = sendErr.Error()
		if len(msg) > 500 {
			msg = msg[:500]
		}
	}
	status, next := "pending", now.Add(w.delay(r.Attempts+1)).UnixMicro()
	var sentAt any
	switch res {
	case "sent":
		status, sentAt = "sent", now.UnixMicro()
	case "failed":
		status = "failed"
	}
	return w.db.InTx(ctx, func(tx *sql.Tx) error {
		x, err := tx.ExecContext(ctx, `UPDATE notifications SET status = $1, attempts = attempts + 1, next_at = $2,
			last_error = $3, sent_at = $4, claimed_until = 0 WHERE id = $5 AND claimed_until = $6`,
			status, next, msg, sentAt, r.ID, r.lease)
		if err != nil {
			return fmt.Errorf("notify: finish: %w", err)
		}
		if n, _ := x.RowsAffected(); n == 0 {
			w.log.WarnContext(ctx, "notification lease lost", "notification", r.ID)
		}
		return nil
	})
}
