package cms

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"cnskiosk.dev/cloud/internal/audit"
	"cnskiosk.dev/cloud/internal/rules"
	"cnskiosk.dev/cloud/internal/store"
	"cnskiosk.dev/cloud/internal/vault"
	"cnskiosk.dev/shared/outcome"
	"cnskiosk.dev/shared/wire"
)

// Auditor appends an audit record inside the operation's transaction.
type Auditor interface {
	Append(ctx context.Context, tx *sql.Tx, r audit.Record) error
}

// Options configure the engine. The zero value is usable except for
// RequireSession, which cmsd sets to true.
type Options struct {
	Policy         rules.Policy     // reader price, consent policies; zero: rules.DefaultPolicy()
	Split          vault.Policy     // PIN/PUK first-half lengths; zero: vault.DefaultPolicy
	RequireSession bool             // check the operator session (false: registry only, for replays)
	Now            func() time.Time // clock; nil: time.Now
	MaxClockSkew   time.Duration    // how far a kiosk's "at" may be ahead of the clock; zero: 5 minutes
	Auditor        Auditor          // nil: audit.Append on the engine's database
}

// Engine applies operations. It is safe for concurrent use.
type Engine struct {
	db    *store.DB
	vault *vault.Vault
	opts  Options
	log   *slog.Logger
}

// New returns an engine over db. v may be nil if PinHalves is never called.
func New(db *store.DB, v *vault.Vault, opts Options, log *slog.Logger) *Engine {
	if opts.Policy.ConsentPolicies == nil {
		opts.Policy = rules.DefaultPolicy()
	}
	if opts.Split == (vault.Policy{}) {
		opts.Split = vault.DefaultPolicy
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.MaxClockSkew == 0 {
		opts.MaxClockSkew = 5 * time.Minute
	}
	if opts.Auditor == nil {
		opts.Auditor = dbAuditor{db.Dialect()}
	}
	return &Engine{db: db, vault: v, opts: opts, log: log}
}

type dbAuditor struct{ d store.Dialect }

func (a dbAuditor) Append(ctx context.Context, tx *sql.Tx, r audit.Record) error {
	return audit.Append(ctx, tx, a.d, r)
}

// Apply applies the operation env once. See the package documentation.
func (e *Engine) Apply(ctx context.Context, env wire.Envelope) (wire.Ack, error) {
	op, err := decode(env)
	if err != nil {
		e.log.WarnContext(ctx, "operation rejected", "op_id", env.ID, "dev", env.Dev, "type", env.Type, "err", err)
		return reject(env, outcome.Malformed), nil
	}
	var ack wire.Ack
	err = e.db.InTx(ctx, func(tx *sql.Tx) error {
		var err error
		ack, err = e.applyTx(ctx, tx, op)
		return err
	})
	if errors.Is(err, errDuplicate) {
		return e.duplicate(ctx, env)
	}
	if err != nil {
		return wire.Ack{}, fmt.Errorf("%w: apply %s %s: %w", ErrStore, env.Type, env.ID, err)
	}
	e.log.InfoContext(ctx, "operation applied", "op_id", env.ID, "dev", env.Dev, "type", env.Type, "outcome", ack.Outcome)
	return ack, nil
}

func reject(env wire.Envelope, c outcome.Code) wire.Ack {
	return wire.Ack{OpID: env.ID, OpSeq: env.Seq, Status: wire.StatusRejected, Outcome: string(c), Message: c.Message()}
}

// decisionTime is the operation's own time, unless the kiosk's clock runs
// ahead of the cloud's: then the cloud's clock.
func (e *Engine) decisionTime(at time.Time) time.Time {
	now := e.opts.Now()
	if at.After(now.Add(e.opts.MaxClockSkew)) {
		return now
	}
	return at
}

func (e *Engine) applyTx(ctx context.Context, tx *sql.Tx, op operation) (wire.Ack, error) {
	in, card, err := e.gather(ctx, tx, op)
	if err != nil {
		return wire.Ack{}, err
	}
	d := rules.Decide(in)
	fx := e.newEffects(op, card, d)
	result, err := fx.result()
	if err != nil {
		return wire.Ack{}, err
	}
	if err := e.record(ctx, tx, op, d.Code, result); err != nil {
		return wire.Ack{}, err
	}
	if err := fx.write(ctx, tx); err != nil {
		return wire.Ack{}, err
	}
	rec := audit.Record{At: e.opts.Now(), Device: op.env.Dev, Counter: op.counter, Operator: op.common.Operator.CF,
		Card: op.subject(), Action: string(op.env.Type), Outcome: string(d.Code), OpID: op.env.ID, Detail: d.Detail}
	if err := e.opts.Auditor.Append(ctx, tx, rec); err != nil {
		return wire.Ack{}, err
	}
	return wire.Ack{OpID: op.env.ID, OpSeq: op.env.Seq, Status: wire.StatusApplied,
		Outcome: string(d.Code), Message: d.Code.Message(), Result: result}, nil
}

// record inserts the idempotency record with the outcome; a conflict on
// the op id means the operation was applied before.
func (e *Engine) record(ctx context.Context, tx *sql.Tx, op operation, c outcome.Code, result json.RawMessage) error {
	var id string
	err := tx.QueryRowContext(ctx, `INSERT INTO operations (op_id, dev, seq, type, card_team, operator_cf, outcome, result, at, applied_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) ON CONFLICT (op_id) DO NOTHING RETURNING op_id`,
		op.env.ID, op.env.Dev, int64(op.env.Seq), string(op.env.Type), op.team, op.common.Operator.CF,
		string(c), string(result), op.env.At.UnixMicro(), e.opts.Now().UnixMicro()).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return errDuplicate
	}
	return err
}

// duplicate answers a replay with the first outcome and result.
func (e *Engine) duplicate(ctx context.Context, env wire.Envelope) (wire.Ack, error) {
	var code, result, dev string
	err := e.db.SQL().QueryRowContext(ctx, `SELECT outcome, result, dev FROM operations WHERE op_id = $1`, env.ID).
		Scan(&code, &result, &dev)
	if err != nil {
		return wire.Ack{}, fmt.Errorf("%w: read first result of %s: %w", ErrStore, env.ID, err)
	}
	if dev != env.Dev {
		e.log.WarnContext(ctx, "operation id reused by another device", "op_id", env.ID, "dev", env.Dev, "first_dev", dev)
	}
	ack := wire.Ack{OpID: env.ID, OpSeq: env.Seq, Status: wire.StatusDuplicate, Outcome: code,
		Message: outcome.Code(code).Message()}
	if result != "" {
		ack.Result = json.RawMessage(result)
	}
	return ack, nil
}
