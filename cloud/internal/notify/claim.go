package notify

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"strconv"
	"strings"
	"time"

	"cnskiosk.dev/cloud/internal/clip"
	"cnskiosk.dev/cloud/internal/lease"
	"cnskiosk.dev/cloud/internal/store"
	"cnskiosk.dev/cloud/internal/ticket"
	"cnskiosk.dev/cloud/internal/vault"
)

type row struct {
	ID, Kind, CardTEAM, Channel, Address string
	Attempts                             int
	refusals                             int   // configuration refusals in a row (config_refusals)
	refusedSince                         int64 // the first of them, unix microseconds; 0: none
	at                                   pos
	tok                                  lease.Token
	handed                               bool // inserted claimed by the engine, not claimed here
}

// pos is a place in the claim order (next_at, id).
type pos struct {
	nextAt int64
	id     string
}

// head is the position before every row: a scan from it is a full scan.
var head = pos{nextAt: math.MinInt64}

func (p pos) after(q pos) bool { return p.nextAt > q.nextAt || p.nextAt == q.nextAt && p.id > q.id }

// The claim takes due rows in (next_at, id) order after a position, like
// lease.Claim (which it replaces for this table) with that one bound more.
// The index it walks, notifications_pending (migration 0210), holds only
// pending rows, but on PostgreSQL a row that leaves it (sent) leaves a dead
// entry behind until VACUUM, and every row sent so far is due: a scan from
// the start walks every one of them, far more than the rows it claims. So
// the worker scans on from just after the last row it claimed, where the
// rows not yet claimed are, and from the start only now and then (see
// Worker.claimDue).
//
// On PostgreSQL the same statement reads the sealed secrets of the rows it
// claims (one round trip, and no transaction of its own: one statement is
// atomic); LIMIT 1 keeps that a lookup by primary key per claimed row,
// which the planner would otherwise be free to turn into a hash join over
// the whole card_secrets table. On SQLite, whose UPDATE cannot sit in a
// WITH, the secrets are read next (w.secrets). The rows are found by id
// (nested loop over the primary key) rather than by ctid: the generic plan
// of a ctid list, made while the table is still small, is a sequential
// scan that the connection keeps as the table grows.
const (
	claimUpdate = `UPDATE notifications SET claimed_until = $1 WHERE id IN (
	SELECT id FROM notifications WHERE status = 'pending' AND next_at <= $2 AND claimed_until < $2 AND (next_at, id) > ($4, $5)
	ORDER BY next_at, id LIMIT $3`
	claimCols = `id, kind, card_team, channel, address, attempts, next_at, config_refusals, config_refused_since`

	claimSQLite = claimUpdate + `) RETURNING ` + claimCols

	claimPostgres = `WITH c AS (` + claimUpdate + ` FOR UPDATE SKIP LOCKED) RETURNING ` + claimCols + `)
	SELECT c.*, s.key_id, s.nonce, s.sealed FROM c LEFT JOIN LATERAL (
	SELECT key_id, nonce, sealed FROM card_secrets WHERE team = c.card_team AND c.kind = 'second_halves' LIMIT 1) s ON true`
)

// claimAttempts bounds the tries of one claim: a few, as a conflict that
// outlasts them is left to the next poll.
const claimAttempts = 4

// claim takes up to Batch due rows after from, under one lease token. On
// PostgreSQL it also returns the sealed secrets of the rows that need them
// (nil on SQLite).
//
// The claim is one autocommit statement, so a transient failure (what
// store.Retryable names: a serialisation failure, a deadlock, a busy
// SQLite) left nothing claimed, and claim tries again at once after a
// short pause rather than leaving the queue a poll interval behind with
// an error logged, as InTx did when the claim ran in a transaction.
func (w *Worker) claim(ctx context.Context, from pos) ([]row, lease.Token, map[string]vault.Sealed, error) {
	for attempt := 1; ; attempt++ {
		rows, tok, secrets, err := w.claimOnce(ctx, from)
		if err == nil || attempt == claimAttempts || !store.Retryable(err) {
			return rows, tok, secrets, err
		}
		w.log.DebugContext(ctx, "notification claim conflict, retrying", "attempt", attempt, "err", err)
		if err := pause(ctx, attempt); err != nil {
			return nil, 0, nil, fmt.Errorf("notify: claim: %w", err)
		}
	}
}

// pause waits before try attempt+1 of a claim: a few milliseconds, more
// each time, with jitter so that instances that conflicted do not meet
// again; it returns early with ctx's error.
func pause(ctx context.Context, attempt int) error {
	d := time.Duration(attempt) * 2 * time.Millisecond
	t := time.NewTimer(d + rand.N(d))
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// claimOnce is one try of claim.
func (w *Worker) claimOnce(ctx context.Context, from pos) ([]row, lease.Token, map[string]vault.Sealed, error) {
	now := w.o.Now()
	tok := lease.Token(now.Add(w.o.Lease).UnixMicro())
	if w.claims != nil {
		w.claims.Inc()
	}
	pg := w.db.Dialect() == store.Postgres
	q := claimSQLite
	if pg {
		q = claimPostgres
	}
	rs, err := w.db.SQL().QueryContext(ctx, q, int64(tok), now.UnixMicro(), w.o.Batch, from.nextAt, from.id)
	if err != nil {
		return nil, 0, nil, fmt.Errorf("notify: claim: %w", err)
	}
	defer rs.Close()
	out := make([]row, 0, w.o.Batch)
	var secrets map[string]vault.Sealed
	var r row
	var keyID sql.NullString
	var s vault.Sealed
	dst := []any{&r.ID, &r.Kind, &r.CardTEAM, &r.Channel, &r.Address, &r.Attempts, &r.at.nextAt, &r.refusals, &r.refusedSince}
	if pg {
		secrets = make(map[string]vault.Sealed, w.o.Batch)
		dst = append(dst, &keyID, &s.Nonce, &s.Ciphertext)
	}
	for rs.Next() {
		if err := rs.Scan(dst...); err != nil { // []byte destinations get fresh copies
			return nil, 0, nil, fmt.Errorf("notify: claim: %w", err)
		}
		r.at.id, r.tok = r.ID, tok
		if keyID.Valid {
			s.KeyID = keyID.String
			secrets[r.CardTEAM] = s
		}
		out = append(out, r)
	}
	if err := rs.Err(); err != nil {
		return nil, 0, nil, fmt.Errorf("notify: claim: %w", err)
	}
	return out, tok, secrets, nil
}

// batch is what one RunOnce shares between its rows: the sealed secrets
// read with the claim (or in one query) and the ids sent, recorded in one
// update.
type batch struct {
	tok     lease.Token
	secrets map[string]vault.Sealed // card TEAM -> sealed PIN/PUK
	sent    []pos                   // rows sent, to record
	held    []row                   // rows a Flusher accepted, sent once it flushed
	retried int                     // rows to send again later
	failed  int                     // rows given up
	left    []string                // ids not sent: too little of the lease left, released
}

// secrets reads, in one query, the sealed secrets of the batch's cards
// that get second halves.
func (w *Worker) secrets(ctx context.Context, rows []row) (map[string]vault.Sealed, error) {
	var args []any
	for _, r := range rows {
		if r.Kind == KindSecondHalves {
			args = append(args, r.CardTEAM)
		}
	}
	out := make(map[string]vault.Sealed, len(args))
	if len(args) == 0 {
		return out, nil
	}
	q, args := w.inList(`SELECT team, key_id, nonce, sealed FROM card_secrets WHERE team`, nil, args)
	rs, err := w.db.SQL().QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("notify: read secrets: %w", err)
	}
	defer rs.Close()
	for rs.Next() {
		var team string
		var s vault.Sealed
		if err := rs.Scan(&team, &s.KeyID, &s.Nonce, &s.Ciphertext); err != nil {
			return nil, fmt.Errorf("notify: read secrets: %w", err)
		}
		out[team] = s
	}
	if err := rs.Err(); err != nil {
		return nil, fmt.Errorf("notify: read secrets: %w", err)
	}
	return out, nil
}

// inList appends "IN ($n, ...)" for vals to q: on PostgreSQL "= ANY($n)"
// with one array, so the statement text (and its prepared plan) is the
// same whatever the batch size.
func (w *Worker) inList(q string, args, vals []any) (string, []any) {
	if w.db.Dialect() != store.Postgres {
		return q + ` IN (` + placeholders(len(args)+1, len(vals)) + `)`, append(args, vals...)
	}
	arr := make([]string, len(vals))
	for i, v := range vals {
		arr[i], _ = v.(string)
	}
	return q + ` = ANY($` + strconv.Itoa(len(args)+1) + `)`, append(args, arr)
}

// placeholders returns "$from, ..., $(from+n-1)".
func placeholders(from, n int) string {
	var sb strings.Builder
	for i := range n {
		if i > 0 {
			sb.WriteString(", ")
		}
		sb.WriteString("$" + strconv.Itoa(from+i))
	}
	return sb.String()
}

func ids(rows []row) []string {
	out := make([]string, len(rows))
	for i, r := range rows {
		out[i] = r.ID
	}
	return out
}

// build writes the message; for second halves it opens the card's secrets.
func (w *Worker) build(b *batch, r row) (Message, error) {
	m := Message{ID: r.ID, Kind: r.Kind, Channel: r.Channel, To: r.Address}
	if r.Kind != KindSecondHalves {
		m.Subject, m.Body = reissueText(r.CardTEAM)
		if r.Channel == "sms" {
			m.Body = m.Subject + ". Ricevera' la nuova tessera all'indirizzo di residenza."
		}
		return m, nil
	}
	s, ok := b.secrets[r.CardTEAM]
	if !ok {
		return m, fmt.Errorf("%w: none stored for the card", ErrSecret)
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

// finishSent records the batch's sent rows in one autocommit UPDATE (a
// single statement is atomic on both databases), each only if the lease
// is still ours. It finds them through notifications_pending, between the
// first and the last next_at of the batch: the rows of a batch are
// neighbours in that index, and the plan stays that index scan whatever
// the table's statistics said when the connection prepared it (by id, the
// generic plan a connection made while the table was still small is a
// sequential scan, and it is kept while the table grows).
func (w *Worker) finishSent(ctx context.Context, b *batch) error {
	if len(b.sent) == 0 {
		return nil
	}
	now := w.o.Now().UnixMicro()
	lo, hi := b.sent[0].nextAt, b.sent[0].nextAt
	vals := make([]any, len(b.sent))
	for i, p := range b.sent {
		vals[i] = p.id
		lo, hi = min(lo, p.nextAt), max(hi, p.nextAt)
	}
	q, args := w.inList(finishSentSQL, []any{now, int64(b.tok), lo, hi}, vals)
	x, err := w.db.SQL().ExecContext(ctx, q, args...)
	if err != nil {
		return fmt.Errorf("notify: finish: %w", err)
	}
	if n, _ := x.RowsAffected(); n < int64(len(b.sent)) {
		w.log.WarnContext(ctx, "notification lease lost", "sent", len(b.sent), "recorded", n)
	}
	return nil
}

// finishSentSQL is finishSent's statement, the id list to be appended.
const finishSentSQL = `UPDATE notifications SET status = 'sent', attempts = attempts + 1, next_at = $1,
	last_error = '', sent_at = $1, claimed_until = 0
	WHERE status = 'pending' AND next_at >= $3 AND next_at <= $4 AND claimed_until = $2 AND id`

// finish records the attempt if the lease is still ours. An attempt the
// sender refused for our configuration (cfg) is not counted in attempts,
// so MaxAttempts never fails a notice for a problem of ours; it adds to
// the notice's configuration refusals in a row instead, whose count sets
// the delay and whose first one starts the ConfigGrace that settle
// bounds them with. Any other outcome ends the notice's run of them.
func (w *Worker) finish(ctx context.Context, r row, res string, sendErr error, cfg bool, now time.Time) error {
	msg := ""
	if sendErr != nil {
		msg = clip.String(sendErr.Error(), 500)
	}
	delay, counted := w.backoff.Delay(r.Attempts+1), 1
	refusals, since := 0, int64(0)
	if cfg {
		refusals, since = r.refusals+1, cmp.Or(r.refusedSince, now.UnixMicro())
		delay, counted = w.backoff.Delay(refusals), 0
	}
	status, next := "pending", now.Add(delay).UnixMicro()
	var sentAt any
	switch res {
	case "sent":
		status, sentAt = "sent", now.UnixMicro()
	case "failed":
		status = "failed"
	}
	args := []any{status, next, msg, sentAt, r.ID, int64(r.tok), counted, refusals, since}
	if status != "failed" {
		// One statement, autocommit: no BEGIN/COMMIT round trips for the
		// common case (a single UPDATE is atomic on both databases).
		x, err := w.db.SQL().ExecContext(ctx, finishSQL, args...)
		if err != nil {
			return fmt.Errorf("notify: finish: %w", err)
		}
		w.leaseLost(ctx, x, r)
		return nil
	}
	return w.db.InTx(ctx, func(tx *sql.Tx) error {
		x, err := tx.ExecContext(ctx, finishSQL, args...)
		if err != nil {
			return fmt.Errorf("notify: finish: %w", err)
		}
		if w.leaseLost(ctx, x, r) {
			return nil
		}
		return openTicket(ctx, tx, r, msg, cfg, since, now)
	})
}

const finishSQL = `UPDATE notifications SET status = $1, attempts = attempts + $7, next_at = $2,
	last_error = $3, sent_at = $4, claimed_until = 0, config_refusals = $8, config_refused_since = $9
	WHERE id = $5 AND claimed_until = $6`

// leaseLost reports (and logs) an update that found the row claimed by
// someone else.
func (w *Worker) leaseLost(ctx context.Context, x sql.Result, r row) bool {
	if n, _ := x.RowsAffected(); n == 0 {
		w.log.WarnContext(ctx, "notification lease lost", "notification", r.ID)
		return true
	}
	return false
}

// openTicket asks the help desk (L1) to reach the citizen a notice did
// not reach. It is keyed by (notify, id): a retry never opens two. cfg:
// it failed because the sender refused our configuration since the
// unix microsecond since.
func openTicket(ctx context.Context, tx *sql.Tx, r row, reason string, cfg bool, since int64, now time.Time) error {
	var cf string
	err := tx.QueryRowContext(ctx, `SELECT cf FROM cards WHERE team = $1`, r.CardTEAM).Scan(&cf)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("notify: card of failed notice: %w", err)
	}
	what := "seconda parte di PIN e PUK non consegnata"
	if r.Kind != KindSecondHalves {
		what = "avviso di riemissione non consegnato"
	}
	detail := fmt.Sprintf("Canale %s, notifica %s, %d tentativi. Ultimo errore: %s", r.Channel, r.ID, r.Attempts+1, reason)
	if cfg {
		detail = fmt.Sprintf("Canale %s, notifica %s: il servizio di invio rifiuta la configurazione del CMS (credenziali, TLS, mittente) "+
			"dal %s, %d rifiuti; %d tentativi conteggiati. Segnalare anche ai sistemisti. Ultimo errore: %s",
			r.Channel, r.ID, time.UnixMicro(since).UTC().Format("02/01/2006 15:04 UTC"), r.refusals+1, r.Attempts, reason)
	}
	n := ticket.New{Queue: ticket.L1, Subject: "Notifica: " + what,
		Detail:   clip.String(detail, 1000),
		CardTEAM: r.CardTEAM, CF: cf, Source: "notify", Ref: r.ID, Task: ticket.TaskContactCitizen,
		TaskNote: "Contattare il cittadino (" + what + "), verificare il recapito e invitarlo allo sportello per la ristampa."}
	if _, err := ticket.OpenTx(ctx, tx, n, now); err != nil {
		return fmt.Errorf("notify: open ticket: %w", err)
	}
	return nil
}
