package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"

	"cnskiosk.dev/cloud/internal/cms"
	"cnskiosk.dev/shared/outcome"
	"cnskiosk.dev/shared/wire"
)

func init() {
	register(Command{Name: "ops apply", Args: "FILE.jsonl", Run: opsApply,
		Summary: "apply operations (one wire envelope per line, '-' for stdin) without operator sessions; one JSON result per line, a summary on stderr"})
}

// The status of one line of ops apply. Unlike the wire ack status (kept
// in ack_status), it tells a refusal from an operation that took effect.
const (
	lineApplied   = "applied"   // processed, outcome applied: the operation took effect
	lineRefused   = "refused"   // processed, the CMS refused it: outcome says why, nothing changed
	lineDuplicate = "duplicate" // processed before: outcome is the first answer
	lineMalformed = "malformed" // not a wire envelope (or too long): not processed
	lineRejected  = "rejected"  // the ack rejected it: not processed, never will be
	lineRetry     = "retry"     // the CMS could not process it now
)

// opResult is one line of ops apply's output.
type opResult struct {
	Line      int    `json:"line"`
	ID        string `json:"id,omitempty"`
	Status    string `json:"status"`
	AckStatus string `json:"ack_status"`
	Outcome   string `json:"outcome"`
	Message   string `json:"message"`
	Error     string `json:"error,omitempty"`
}

func opsApply(ctx context.Context, e *Env, args []string) error {
	c := commands["ops apply"]
	fs := e.Flags(c)
	if err := e.Parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return e.badArgs(c, "give one JSONL file ('-' for stdin)")
	}
	in, _, closeIn, err := openInput(fs.Arg(0), e.Stdin)
	if err != nil {
		return err
	}
	defer closeIn()
	db, err := e.Store(ctx)
	if err != nil {
		return err
	}
	v, err := e.Vault()
	if err != nil {
		return err
	}
	eng := cms.New(db, v, cms.Options{RequireSession: false}, e.Log)
	var tally opsTally
	err = applyAll(ctx, eng, in, func(r opResult) error {
		tally.add(r)
		return printJSON(e.Stdout, r)
	})
	fmt.Fprintln(e.Stderr, tally.String())
	if err != nil {
		return fmt.Errorf("ops apply stopped after line %d (the lines before it are applied; applying the file again gives duplicate for them): %w", tally.last, err)
	}
	if tally.unprocessed() > 0 {
		return errProblems
	}
	return nil
}

// applyAll applies every line of in and passes each result to out. Only
// a read or infrastructure failure stops it.
func applyAll(ctx context.Context, eng *cms.Engine, in io.Reader, out func(opResult) error) error {
	br := bufio.NewReaderSize(in, 64<<10)
	for line := 1; ; line++ {
		data, tooLong, err := readLine(br, wire.MaxMessageSize)
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return fmt.Errorf("read line %d: %w", line, err)
		}
		var res opResult
		switch {
		case tooLong:
			res = malformed(line, fmt.Errorf("line longer than %d bytes", wire.MaxMessageSize))
		case len(bytes.TrimSpace(data)) == 0:
			continue
		default:
			if res, err = applyLine(ctx, eng, line, data); err != nil {
				return err
			}
		}
		if err := out(res); err != nil {
			return err
		}
	}
}

// readLine reads one line without its ending. A line over max bytes is
// consumed and reported as tooLong; err is io.EOF after the last line.
func readLine(br *bufio.Reader, max int) (data []byte, tooLong bool, err error) {
	for {
		part, err := br.ReadSlice('\n')
		if !tooLong && len(data)+len(part) > max+2 { // +2: the line ending
			tooLong, data = true, nil
		}
		if !tooLong {
			data = append(data, part...)
		}
		if errors.Is(err, bufio.ErrBufferFull) {
			continue
		}
		if err == io.EOF && (len(data) > 0 || tooLong) {
			err = nil
		}
		if err != nil {
			return nil, false, err
		}
		return bytes.TrimRight(data, "\r\n"), tooLong, nil
	}
}

// applyLine decodes and applies one envelope. A malformed line is a
// result, not an error; only infrastructure failures stop the run.
func applyLine(ctx context.Context, eng *cms.Engine, line int, data []byte) (opResult, error) {
	env, err := wire.Decode("", data)
	if err != nil {
		return malformed(line, err), nil
	}
	ack, err := eng.Apply(ctx, env)
	if err != nil {
		return opResult{}, fmt.Errorf("line %d (%s): %w", line, env.ID, err)
	}
	return opResult{Line: line, ID: env.ID, Status: lineStatus(ack), AckStatus: string(ack.Status),
		Outcome: ack.Outcome, Message: ack.Message}, nil
}

func malformed(line int, err error) opResult {
	return opResult{Line: line, Status: lineMalformed, AckStatus: string(wire.StatusRejected),
		Outcome: string(outcome.Malformed), Message: outcome.Malformed.Message(), Error: err.Error()}
}

// lineStatus maps an ack to the status of its line.
func lineStatus(a wire.Ack) string {
	switch a.Status {
	case wire.StatusApplied:
		if a.Outcome == string(outcome.Applied) {
			return lineApplied
		}
		return lineRefused
	case wire.StatusDuplicate:
		return lineDuplicate
	case wire.StatusRetry:
		return lineRetry
	}
	return lineRejected
}

// opsTally counts the lines of a run for the summary on stderr.
type opsTally struct {
	last    int
	n       map[string]int
	refused map[string]int // by outcome
}

func (t *opsTally) add(r opResult) {
	if t.n == nil {
		t.n, t.refused = map[string]int{}, map[string]int{}
	}
	t.last = r.Line
	t.n[r.Status]++
	if r.Status == lineRefused {
		t.refused[r.Outcome]++
	}
}

// unprocessed counts the lines the CMS did not process.
func (t *opsTally) unprocessed() int {
	return t.n[lineMalformed] + t.n[lineRejected] + t.n[lineRetry]
}

// String is the summary line, e.g. "ops apply: 4 lines: 1 applied,
// 2 refused (card_not_found 2), 1 duplicate, 0 malformed".
func (t *opsTally) String() string {
	total := 0
	for _, n := range t.n {
		total += n
	}
	refused := ""
	if len(t.refused) > 0 {
		var parts []string
		for _, o := range slices.Sorted(maps.Keys(t.refused)) {
			parts = append(parts, fmt.Sprintf("%s %d", o, t.refused[o]))
		}
		refused = " (" + strings.Join(parts, ", ") + ")"
	}
	s := fmt.Sprintf("ops apply: %d lines: %d applied, %d refused%s, %d duplicate, %d malformed",
		total, t.n[lineApplied], t.n[lineRefused], refused, t.n[lineDuplicate], t.n[lineMalformed])
	if n := t.n[lineRejected] + t.n[lineRetry]; n > 0 {
		s += fmt.Sprintf(", %d rejected, %d to retry", t.n[lineRejected], t.n[lineRetry])
	}
	return s
}
