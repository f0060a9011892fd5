package audit

import (
	"context"
	"crypto/rand"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/oklog/ulid/v2"

	"cnskiosk.dev/cloud/internal/store"
)

// Append writes r inside tx, chained after the last record of its device's
// partition. It locks that partition's head row until tx ends. d is the
// dialect of tx's database (the SQL is the same on both today; it is taken
// so a dialect-specific form can be added without changing callers).
func Append(ctx context.Context, tx store.Querier, d store.Dialect, r Record) error {
	return AppendBatch(ctx, tx, d, []Record{r})
}

// AppendBatch writes rs inside tx, each chained after the last record of
// its device's partition, in the order given within a partition. Whatever
// the number of records and partitions it takes three statements: lock the
// heads it needs (in ascending partition order, so concurrent batches
// cannot deadlock on them; held until tx ends), insert the records, move
// the heads. Nothing is written if a record is not valid.
func AppendBatch(ctx context.Context, tx store.Querier, d store.Dialect, rs []Record) error {
	if len(rs) == 0 {
		return nil
	}
	p, err := Prepare(ctx, tx, d, rs)
	if err != nil {
		return err
	}
	q, args, err := insertStmt(d, p.rows)
	if err != nil {
		return fmt.Errorf("%w: insert: %w", ErrStore, err)
	}
	if _, err := tx.ExecContext(ctx, q, args...); err != nil {
		return fmt.Errorf("%w: insert: %w", ErrStore, err)
	}
	return moveHeads(ctx, tx, d, p.heads)
}

// Prepared are records chained after the heads of their partitions, which
// Prepare has locked: the caller writes them, in the same transaction,
// with the statements of PostgresInsert and PostgresHeads (so that they
// can join a statement of its own: one round trip).
type Prepared struct {
	rows  [][]any
	heads map[int]*head
}

// Prepare validates rs, locks the heads of their partitions (ascending
// order) and chains the records; nothing is written yet.
func Prepare(ctx context.Context, tx store.Querier, d store.Dialect, rs []Record) (Prepared, error) {
	parts, err := partsOf(rs)
	if err != nil || len(rs) == 0 {
		return Prepared{}, err
	}
	heads, err := lockHeads(ctx, tx, d, parts)
	if err != nil {
		return Prepared{}, err
	}
	return heads.Chain(rs)
}

// partsOf validates rs and returns the partition of each.
func partsOf(rs []Record) ([]int, error) {
	parts := make([]int, len(rs))
	for i := range rs {
		if err := rs[i].Validate(); err != nil {
			return nil, err
		}
		parts[i] = PartitionOf(rs[i].Device)
	}
	return parts, nil
}

// Heads are the heads of some partitions, read and locked by the caller's
// transaction with the statement of [HeadsQuery] (so that it can join a
// round trip of the caller's own), or by [Prepare].
type Heads struct{ m map[int]*head }

// HeadsQuery is the statement that reads and locks, in ascending order, the
// heads of the partitions of devices on PostgreSQL, with its arguments
// (one text whatever their number). Its rows go to [Heads.Scan].
func HeadsQuery(devices []string) (string, []any) {
	parts := make([]int, len(devices))
	for i, d := range devices {
		parts[i] = PartitionOf(d)
	}
	return headsLockPG, []any{partsArg(parts)}
}

const headsLockPG = `SELECT part, seq, hash FROM audit_heads WHERE part = ANY($1::bigint[]) ORDER BY part FOR UPDATE`

func partsArg(parts []int) []int64 {
	uniq := slices.Compact(slices.Sorted(slices.Values(parts)))
	ps := make([]int64, len(uniq))
	for i, p := range uniq {
		ps[i] = int64(p)
	}
	return ps
}

// Scan records one row of the statement of [HeadsQuery].
func (h *Heads) Scan(row interface{ Scan(...any) error }) error {
	var p int
	hd := &head{}
	if err := row.Scan(&p, &hd.seq, &hd.sum); err != nil {
		return fmt.Errorf("%w: lock partitions: %w", ErrStore, err)
	}
	if h.m == nil {
		h.m = map[int]*head{}
	}
	h.m[p] = hd
	return nil
}

// Has reports whether the heads of the partitions of every record of rs
// are known.
func (h *Heads) Has(rs []Record) bool {
	for _, r := range rs {
		if _, ok := h.m[PartitionOf(r.Device)]; !ok {
			return false
		}
	}
	return true
}

// Chain validates rs and chains them after the heads, which move on; the
// heads of every record's partition must be known (see [Heads.Has]).
// Nothing is written: the caller writes the records and the moved heads,
// in the same transaction, with the statements of [Prepared.PostgresInsert]
// and [Prepared.PostgresHeads]. The heads serve one Chain: the Prepared
// owns the ones its records moved.
func (h *Heads) Chain(rs []Record) (Prepared, error) {
	parts, err := partsOf(rs)
	if err != nil {
		return Prepared{}, err
	}
	moved := map[int]*head{}
	rows := make([][]any, 0, len(rs))
	for i, r := range rs {
		if r.At.IsZero() {
			r.At = time.Now()
		}
		hd, ok := h.m[parts[i]]
		if !ok {
			return Prepared{}, fmt.Errorf("%w: head of partition %d not locked", ErrStore, parts[i])
		}
		moved[parts[i]] = hd
		id, err := ulid.New(ulid.Timestamp(r.At), rand.Reader)
		if err != nil {
			return Prepared{}, fmt.Errorf("%w: id: %w", ErrStore, err)
		}
		at := r.At.UTC().UnixMicro()
		hd.seq++
		sum := chainHash(hd.sum, id.String(), parts[i], at, r)
		rows = append(rows, []any{id.String(), parts[i], hd.seq, at, r.Device, r.Counter, r.Operator, r.Card, r.Action,
			r.Outcome, r.OpID, r.Detail, hd.sum, sum})
		hd.sum = sum
	}
	return Prepared{rows: rows, heads: moved}, nil
}

// PostgresInsert is the INSERT of the prepared records on PostgreSQL, its
// parameters numbered from $from, with its arguments. Its text depends
// only on from.
func (p Prepared) PostgresInsert(from int) (string, []any, error) {
	args, err := store.ColumnArgs(p.rows, recordTypes)
	return insertHead + `SELECT * FROM ` + store.Unnest(recordTypes, from), args, err
}

// PostgresHeads is the UPDATE that moves the heads on PostgreSQL, its
// parameters numbered from $from, with its arguments.
func (p Prepared) PostgresHeads(from int) (string, []any, error) {
	args, err := store.ColumnArgs(headRows(p.heads), headTypes)
	return headsUpdate(from), args, err
}

func headRows(heads map[int]*head) [][]any {
	rows := make([][]any, 0, len(heads))
	for _, p := range slices.Sorted(maps.Keys(heads)) {
		rows = append(rows, []any{p, heads[p].seq, heads[p].sum})
	}
	return rows
}

func headsUpdate(from int) string {
	return `UPDATE audit_heads SET seq = v.seq, hash = v.hash FROM ` + store.Unnest(headTypes, from) +
		` AS v (part, seq, hash) WHERE audit_heads.part = v.part`
}

// lockHeads reads and locks the heads of parts, in ascending order.
func lockHeads(ctx context.Context, tx store.Querier, d store.Dialect, parts []int) (*Heads, error) {
	uniq := partsArg(parts)
	q, args := headsLockPG, []any{uniq}
	if d != store.Postgres {
		q = `SELECT part, seq, hash FROM audit_heads WHERE part IN (` + placeholders(len(uniq), 1) + `) ORDER BY part`
		args = make([]any, len(uniq))
		for i, p := range uniq {
			args[i] = p
		}
	}
	rows, err := tx.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("%w: lock partitions: %w", ErrStore, err)
	}
	defer rows.Close()
	heads := &Heads{m: make(map[int]*head, len(uniq))}
	for rows.Next() {
		if err := heads.Scan(rows); err != nil {
			return nil, err
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("%w: lock partitions: %w", ErrStore, err)
	}
	if len(heads.m) != len(uniq) {
		return nil, fmt.Errorf("%w: %d of %d partition heads missing", ErrStore, len(uniq)-len(heads.m), len(uniq))
	}
	return heads, nil
}

// moveHeads writes the new sequence number and hash of every head.
func moveHeads(ctx context.Context, tx store.Querier, d store.Dialect, heads map[int]*head) error {
	rows := headRows(heads)
	if d == store.Postgres {
		cols, err := store.ColumnArgs(rows, headTypes)
		if err != nil {
			return fmt.Errorf("%w: update heads: %w", ErrStore, err)
		}
		if _, err := tx.ExecContext(ctx, headsUpdate(1), cols...); err != nil {
			return fmt.Errorf("%w: update heads: %w", ErrStore, err)
		}
		return nil
	}
	args := make([]any, 0, 3*len(rows))
	for _, r := range rows {
		args = append(args, r...)
	}
	var b strings.Builder
	b.WriteString(`WITH v (part, seq, hash) AS (VALUES `)
	for i := range len(heads) {
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "(CAST($%d AS INTEGER), CAST($%d AS BIGINT), CAST($%d AS TEXT))", 3*i+1, 3*i+2, 3*i+3)
	}
	b.WriteString(`) UPDATE audit_heads SET seq = v.seq, hash = v.hash FROM v WHERE audit_heads.part = v.part`)
	if _, err := tx.ExecContext(ctx, b.String(), args...); err != nil {
		return fmt.Errorf("%w: update heads: %w", ErrStore, err)
	}
	return nil
}

const insertCols = 14

var (
	headTypes   = []store.ColType{store.BigInt, store.BigInt, store.Text}
	recordTypes = []store.ColType{store.Text, store.BigInt, store.BigInt, store.BigInt, store.Text, store.Text, store.Text,
		store.Text, store.Text, store.Text, store.Text, store.Text, store.Text, store.Text}
)

const insertHead = `INSERT INTO audit_log
		(id, part, seq, at, device, counter, operator, card, action, outcome, op_id, detail, prev_hash, hash) `

// insertStmt is the INSERT of rows and its arguments: on PostgreSQL one
// fixed text over column arrays, on SQLite a VALUES list.
func insertStmt(d store.Dialect, rows [][]any) (string, []any, error) {
	if d == store.Postgres {
		args, err := store.ColumnArgs(rows, recordTypes)
		return insertHead + `SELECT * FROM ` + store.Unnest(recordTypes, 1), args, err
	}
	args := make([]any, 0, insertCols*len(rows))
	for _, r := range rows {
		args = append(args, r...)
	}
	return insertSQL(len(rows)), args, nil
}

// insertSQL is the INSERT of n audit records.
func insertSQL(n int) string {
	var b strings.Builder
	b.WriteString(insertHead + `VALUES `)
	for i := range n {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString("(" + placeholders(insertCols, i*insertCols+1) + ")")
	}
	return b.String()
}

// placeholders returns n placeholders "$from, $from+1, ...".
func placeholders(n, from int) string {
	var b strings.Builder
	for i := range n {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString("$" + strconv.Itoa(from+i))
	}
	return b.String()
}
