package cms

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"cnskiosk.dev/cloud/internal/audit"
	"cnskiosk.dev/cloud/internal/notify"
	"cnskiosk.dev/cloud/internal/rules"
	"cnskiosk.dev/cloud/internal/store"
	"cnskiosk.dev/cloud/internal/vault"
	"cnskiosk.dev/shared/outcome"
	"cnskiosk.dev/shared/wire"
)

// Auditor appends an audit record inside the operation's transaction.
type Auditor interface {
	Append(ctx context.Context, tx store.Querier, r audit.Record) error
}

// BatchAuditor is an Auditor that can append the records of several
// operations at once (one head update per partition per batch). The
// default auditor is one.
type BatchAuditor interface {
	AppendBatch(ctx context.Context, tx store.Querier, rs []audit.Record) error
}

// Options configure the engine. The zero value is usable except for
// RequireSession, which cmsd sets to true.
type Options struct {
	Policy         rules.Policy     // reader price, consent policies; zero: rules.DefaultPolicy()
	Split          vault.Policy     // PIN/PUK first-half lengths; zero: vault.DefaultPolicy
	RequireSession bool             // check the operator session (false: registry only, for replays)
	Now            func() time.Time // clock; nil: time.Now
	MaxClockSkew   time.Duration    // how far a kiosk's "at" may be ahead of the clock; zero: 5 minutes
	// MaxOperationAge is how far in the past a kiosk's "at" may be (the
	// longest a kiosk may stay offline); an older operation is decided as
	// of the cloud clock and its audit detail records the gap. Zero: 30 days.
	MaxOperationAge time.Duration
	// CounterTTL is how long the counter a device is registered at
	// (fleet table devices) is cached. Zero: 30 seconds.
	CounterTTL time.Duration
	Auditor    Auditor // nil: audit.Append on the engine's database
	MaxBatch   int     // most operations committed in one transaction; zero: 64; 1: no grouping
	// Batches is how many batch transactions run at once, one per lane;
	// zero: 2 on PostgreSQL, 1 on SQLite. At most audit.Partitions.
	Batches int
	// Gather is how long a batch waits to fill when the previous batch of
	// its lane held more than one operation (see docs/store.md, "Gather");
	// zero: 2 ms on PostgreSQL, none on SQLite; negative: never.
	Gather  time.Duration
	OnBatch func(ops int) // called after each batch transaction with its size (metrics); nil: none
	// Handoff is the local notification worker's (notify.Worker.Handoff):
	// a notification is inserted already claimed by that worker when it
	// has room, and handed to it after the batch commits, which spares
	// the worker the claim. nil: every notification is inserted unclaimed.
	Handoff *notify.Handoff
}

// DefaultGather is Options.Gather on PostgreSQL.
const DefaultGather = 2 * time.Millisecond

// Engine applies operations. It is safe for concurrent use.
type Engine struct {
	db    *store.DB
	vault *vault.Vault
	opts  Options
	log   *slog.Logger
	lanes []*batcher // by audit partition of the device: see lane
	// pipelined: batches run in two round trips (pipeline.go), on
	// PostgreSQL with the engine's own auditor.
	pipelined bool
	counters  counterCache
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
	if opts.MaxOperationAge <= 0 {
		opts.MaxOperationAge = 30 * 24 * time.Hour
	}
	if opts.CounterTTL <= 0 {
		opts.CounterTTL = 30 * time.Second
	}
	if opts.Auditor == nil {
		opts.Auditor = dbAuditor{db.Dialect()}
	}
	if opts.MaxBatch <= 0 {
		opts.MaxBatch = 64
	}
	if opts.Batches <= 0 {
		opts.Batches = 2
		if db.Dialect() == store.SQLite {
			opts.Batches = 1 // one writer at a time anyway
		}
	}
	opts.Batches = min(opts.Batches, audit.Partitions)
	if opts.Gather == 0 && db.Dialect() == store.Postgres {
		opts.Gather = DefaultGather
	}
	e := &Engine{db: db, vault: v, opts: opts, log: log,
		counters: counterCache{ttl: opts.CounterTTL}}
	if a, ok := opts.Auditor.(dbAuditor); ok && a.d == store.Postgres {
		e.pipelined = true
	}
	for range opts.Batches {
		e.lanes = append(e.lanes, &batcher{maxLeaders: 1, maxBatch: opts.MaxBatch, run: e.runBatchHook,
			gather: max(opts.Gather, 0)})
	}
	return e
}

// lane is the batcher of op. Every audit record of an operation goes to
// its device's audit partition, and a batch locks the heads of the
// partitions it writes until it commits. Lanes own disjoint sets of
// partitions, one batch at a time each: concurrent batches never wait for
// each other's audit heads, and a lane's next batch gathers what arrived
// while the previous one committed.
func (e *Engine) lane(op operation) *batcher {
	return e.lanes[audit.PartitionOf(op.env.Dev)%len(e.lanes)]
}

type dbAuditor struct{ d store.Dialect }

func (a dbAuditor) Append(ctx context.Context, tx store.Querier, r audit.Record) error {
	return audit.Append(ctx, tx, a.d, r)
}

func (a dbAuditor) AppendBatch(ctx context.Context, tx store.Querier, rs []audit.Record) error {
	return audit.AppendBatch(ctx, tx, a.d, rs)
}

// Apply applies the operation env once. See the package documentation.
func (e *Engine) Apply(ctx context.Context, env wire.Envelope) (wire.Ack, error) {
	op, err := decode(env)
	if err != nil {
		e.log.WarnContext(ctx, "operation rejected", "op_id", env.ID, "dev", env.Dev, "type", env.Type, "err", err)
		return e.rejectAudited(ctx, env, err.Error())
	}
	if err := e.resolveCounter(ctx, &op); err != nil {
		return wire.Ack{}, err
	}
	ack, dup, err := e.lane(op).submit(ctx, op)
	if dup {
		return e.duplicate(ctx, env)
	}
	if err != nil {
		return wire.Ack{}, fmt.Errorf("%w: apply %s %s: %w", ErrStore, env.Type, env.ID, err)
	}
	e.log.DebugContext(ctx, "operation applied", "op_id", env.ID, "dev", env.Dev, "type", env.Type, "outcome", ack.Outcome)
	return ack, nil
}

func reject(env wire.Envelope, c outcome.Code) wire.Ack {
	return wire.Ack{OpID: env.ID, OpSeq: env.Seq, Status: wire.StatusRejected, Outcome: string(c), Message: c.Message()}
}

// rejectAudited answers env rejected/malformed and leaves an audit record
// with the device, the op id if readable, and the reason.
func (e *Engine) rejectAudited(ctx context.Context, env wire.Envelope, reason string) (wire.Ack, error) {
	action := ActionMalformed
	if env.Type.IsOp() {
		action = string(env.Type)
	}
	rec := audit.Record{Device: env.Dev, Action: action, Outcome: string(outcome.Malformed), OpID: env.ID, Detail: reason}
	if err := e.auditAlone(ctx, rec); err != nil {
		return wire.Ack{}, err
	}
	return reject(env, outcome.Malformed), nil
}

// decisionTime is the operation's own time, unless the kiosk's clock runs
// ahead of the cloud's, or the operation is older than MaxOperationAge:
// then the cloud's clock.
func (e *Engine) decisionTime(at time.Time) time.Time {
	now := e.opts.Now()
	if at.After(now.Add(e.opts.MaxClockSkew)) || at.Before(now.Add(-e.opts.MaxOperationAge)) {
		return now
	}
	return at
}

// ageDetail notes, for the audit record, an operation decided as of the
// cloud clock because its "at" is older than MaxOperationAge.
func (e *Engine) ageDetail(at time.Time) string {
	now := e.opts.Now()
	if gap := now.Sub(at); gap > e.opts.MaxOperationAge {
		return fmt.Sprintf("decided as of the cloud clock: operation at %s is %s old (max %s)",
			at.UTC().Format(time.RFC3339), gap.Truncate(time.Second), e.opts.MaxOperationAge)
	}
	return ""
}

// applyTx applies op inside tx and returns its ack and audit record. The
// record is appended here when appendAudit is set; otherwise the caller
// appends it with the rest of its batch, before commit.
func (e *Engine) applyTx(ctx context.Context, tx store.Querier, bs *batchState, op operation, appendAudit bool) (wire.Ack, audit.Record, error) {
	var rec audit.Record
	in, card, err := e.gather(ctx, tx, bs, op)
	if err != nil {
		return wire.Ack{}, rec, err
	}
	d := rules.Decide(in)
	if op.badCounter != "" {
		d = rules.Decision{Code: outcome.CounterMismatch, Detail: op.badCounter}
	}
	if gap := e.ageDetail(op.env.At); gap != "" {
		d.Detail = strings.TrimPrefix(d.Detail+"; "+gap, "; ")
	}
	fx := e.newEffects(op, card, d)
	fx.bs = bs
	result, err := fx.result()
	if err != nil {
		return wire.Ack{}, rec, err
	}
	rec = audit.Record{At: e.opts.Now(), Device: op.env.Dev, Counter: op.counter, Operator: op.common.Operator.CF,
		Card: op.subject(), Action: string(op.env.Type), Outcome: string(d.Code), OpID: op.env.ID, Detail: d.Detail}
	if err := rec.Validate(); err != nil {
		return wire.Ack{}, rec, err
	}
	if err := e.record(bs, op, d.Code, result); err != nil {
		return wire.Ack{}, rec, err
	}
	if err := fx.write(ctx, tx); err != nil {
		return wire.Ack{}, rec, err
	}
	if appendAudit {
		if err := e.opts.Auditor.Append(ctx, tx, rec); err != nil {
			return wire.Ack{}, rec, err
		}
	}
	return wire.Ack{OpID: op.env.ID, OpSeq: op.env.Seq, Status: wire.StatusApplied,
		Outcome: string(d.Code), Message: d.Code.Message(), Result: result}, rec, nil
}

// record queues the idempotency record with the outcome, written at the
// end of the batch (pending.insertOps); an op id known applied, before or
// earlier in the batch, is a duplicate and writes nothing.
func (e *Engine) record(bs *batchState, op operation, c outcome.Code, result json.RawMessage) error {
	if bs.applied[op.env.ID] {
		return errDuplicate
	}
	bs.applied[op.env.ID] = true
	bs.pend.ops = append(bs.pend.ops, []any{op.env.ID, op.env.Dev, int64(op.env.Seq), string(op.env.Type), op.team,
		op.common.Operator.CF, string(c), string(result), op.env.At.UnixMicro(), e.opts.Now().UnixMicro()})
	return nil
}

// ReasonIDReused is the detail of an operation whose id another device used first.
const ReasonIDReused = "operation id already used by another device"

// duplicate answers a replay with the first outcome and result.
func (e *Engine) duplicate(ctx context.Context, env wire.Envelope) (wire.Ack, error) {
	var code, result, dev string
	err := e.db.SQL().QueryRowContext(ctx, `SELECT outcome, result, dev FROM operations WHERE op_id = $1`, env.ID).
		Scan(&code, &result, &dev)
	if err != nil {
		return wire.Ack{}, fmt.Errorf("%w: read first result of %s: %w", ErrStore, env.ID, err)
	}
	if dev != env.Dev {
		// Never the first device's result: that would leak it.
		e.log.WarnContext(ctx, "operation id reused by another device", "op_id", env.ID, "dev", env.Dev, "first_dev", dev)
		return e.rejectAudited(ctx, env, ReasonIDReused)
	}
	ack := wire.Ack{OpID: env.ID, OpSeq: env.Seq, Status: wire.StatusDuplicate, Outcome: code,
		Message: outcome.Code(code).Message()}
	if result != "" {
		ack.Result = json.RawMessage(result)
	}
	return ack, nil
}

// ConsentPolicies lists the consent policies the engine knows, with the
// one in force and those accepted (for the console).
func (e *Engine) ConsentPolicies() []rules.ConsentPolicy { return e.opts.Policy.Policies() }
