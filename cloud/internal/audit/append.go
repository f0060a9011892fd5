package audit

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"
	"unsafe"

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
	q, args := insertStmt(d, &p.recs)
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
	recs  records
	heads map[int]*head
}

// records are chained records, by column in the order of insertHead.
type records struct {
	id, device, counter, operator, card, action, outcome, opID, detail, prev, hash []store.TextElem
	part, seq, at                                                                  []store.Int8Elem
}

func newRecords(n int) records {
	text := make([]store.TextElem, 11*n)
	ints := make([]store.Int8Elem, 3*n)
	col := func(cols []store.TextElem, i int) []store.TextElem { return cols[i*n : i*n : (i+1)*n] }
	return records{id: col(text, 0), device: col(text, 1), counter: col(text, 2), operator: col(text, 3),
		card: col(text, 4), action: col(text, 5), outcome: col(text, 6), opID: col(text, 7), detail: col(text, 8),
		prev: col(text, 9), hash: col(text, 10),
		part: ints[0:0:n], seq: ints[n : n : 2*n], at: ints[2*n : 2*n : 3*n]}
}

// pgArgs are the column arrays of the records, the parameters of the
// INSERT on PostgreSQL.
func (c *records) pgArgs() []any {
	return []any{store.TextArrayOf(c.id), store.Int8Array(c.part), store.Int8Array(c.seq), store.Int8Array(c.at),
		store.TextArrayOf(c.device), store.TextArrayOf(c.counter), store.TextArrayOf(c.operator),
		store.TextArrayOf(c.card), store.TextArrayOf(c.action), store.TextArrayOf(c.outcome), store.TextArrayOf(c.opID),
		store.TextArrayOf(c.detail), store.TextArrayOf(c.prev), store.TextArrayOf(c.hash)}
}

// valueArgs are the records row after row, the parameters of a VALUES list.
func (c *records) valueArgs() []any {
	args := make([]any, 0, insertCols*len(c.id))
	for i := range c.id {
		args = append(args, string(c.id[i]), int(c.part[i]), int64(c.seq[i]), int64(c.at[i]), string(c.device[i]),
			string(c.counter[i]), string(c.operator[i]), string(c.card[i]), string(c.action[i]), string(c.outcome[i]),
			string(c.opID[i]), string(c.detail[i]), string(c.prev[i]), string(c.hash[i]))
	}
	return args
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
	// The ids' randomness, read at once: a read of crypto/rand per
	// record was a call into the kernel per record.
	entropy := make([]byte, 10*len(rs))
	if _, err := rand.Read(entropy); err != nil {
		return Prepared{}, fmt.Errorf("%w: id: %w", ErrStore, err)
	}
	moved := map[int]*head{}
	c := newRecords(len(rs))
	var buf [512]byte // the encoding of a record, for its hash
	// The records' ids and hashes, in hex, share one allocation; the
	// strings made over it cover bytes that are never written again.
	text := make([]byte, 0, len(rs)*(ulid.EncodedSize+2*sha256.Size))
	for i := range rs {
		r := &rs[i]
		at := r.At
		if at.IsZero() {
			at = time.Now()
		}
		hd, ok := h.m[parts[i]]
		if !ok {
			return Prepared{}, fmt.Errorf("%w: head of partition %d not locked", ErrStore, parts[i])
		}
		moved[parts[i]] = hd
		var id ulid.ULID
		if err := id.SetTime(ulid.Timestamp(at)); err != nil {
			return Prepared{}, fmt.Errorf("%w: id: %w", ErrStore, err)
		}
		copy(id[6:], entropy[10*i:])
		from := len(text)
		text = append(text, make([]byte, ulid.EncodedSize)...)
		_ = id.MarshalTextTo(text[from:]) // cannot fail: the size is right
		ids := unsafe.String(&text[from], ulid.EncodedSize)
		micros := at.UTC().UnixMicro()
		hd.seq++
		from = len(text)
		text = appendChainHash(text, buf[:0], hd.sum, ids, parts[i], micros, r)
		sum := unsafe.String(&text[from], len(text)-from)
		c.id = append(c.id, store.TextElem(ids))
		c.part = append(c.part, store.Int8Elem(parts[i]))
		c.seq = append(c.seq, store.Int8Elem(hd.seq))
		c.at = append(c.at, store.Int8Elem(micros))
		c.device = append(c.device, store.TextElem(r.Device))
		c.counter = append(c.counter, store.TextElem(r.Counter))
		c.operator = append(c.operator, store.TextElem(r.Operator))
		c.card = append(c.card, store.TextElem(r.Card))
		c.action = append(c.action, store.TextElem(r.Action))
		c.outcome = append(c.outcome, store.TextElem(r.Outcome))
		c.opID = append(c.opID, store.TextElem(r.OpID))
		c.detail = append(c.detail, store.TextElem(r.Detail))
		c.prev = append(c.prev, store.TextElem(hd.sum))
		c.hash = append(c.hash, store.TextElem(sum))
		hd.sum = sum
	}
	return Prepared{recs: c, heads: moved}, nil
}

// PostgresInsert is the INSERT of the prepared records on PostgreSQL, its
// parameters numbered from $from, with its arguments. Its text depends
// only on from.
func (p Prepared) PostgresInsert(from int) (string, []any, error) {
	return insertHead + `SELECT * FROM ` + store.Unnest(recordTypes, from), p.recs.pgArgs(), nil
}

// PostgresHeads is the UPDATE that moves the heads on PostgreSQL, its
// parameters numbered from $from, with its arguments.
func (p Prepared) PostgresHeads(from int) (string, []any, error) {
	return headsUpdate(from), headArgs(p.heads), nil
}

// headArgs are the column arrays of the heads (partition, seq, hash), in
// partition order.
func headArgs(heads map[int]*head) []any {
	n := len(heads)
	ints := make([]store.Int8Elem, 0, 2*n)
	sums := make([]store.TextElem, 0, n)
	for p := range Partitions {
		if hd, ok := heads[p]; ok {
			ints = append(ints, store.Int8Elem(p))
			sums = append(sums, store.TextElem(hd.sum))
		}
	}
	for p := range Partitions {
		if hd, ok := heads[p]; ok {
			ints = append(ints, store.Int8Elem(hd.seq))
		}
	}
	return []any{store.Int8Array(ints[:n:n]), store.Int8Array(ints[n:]), store.TextArrayOf(sums)}
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
	if d == store.Postgres {
		if _, err := tx.ExecContext(ctx, headsUpdate(1), headArgs(heads)...); err != nil {
			return fmt.Errorf("%w: update heads: %w", ErrStore, err)
		}
		return nil
	}
	rows := headRows(heads)
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

// insertStmt is the INSERT of the records c and its arguments: on
// PostgreSQL one fixed text over column arrays, on SQLite a VALUES list.
func insertStmt(d store.Dialect, c *records) (string, []any) {
	if d == store.Postgres {
		return insertHead + `SELECT * FROM ` + store.Unnest(recordTypes, 1), c.pgArgs()
	}
	return insertSQL(len(c.id)), c.valueArgs()
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
