package main

import (
	"bufio"
	"context"
	"fmt"

	"cnskiosk.dev/cloud/internal/cms"
	"cnskiosk.dev/shared/outcome"
	"cnskiosk.dev/shared/wire"
)

func init() {
	register(Command{Name: "ops apply", Args: "FILE.jsonl", Run: opsApply,
		Summary: "apply operations (one wire envelope per line, '-' for stdin) without operator sessions; one JSON result per line"})
}

// opResult is one line of ops apply's output.
type opResult struct {
	Line    int    `json:"line"`
	ID      string `json:"id,omitempty"`
	Status  string `json:"status"`
	Outcome string `json:"outcome"`
	Message string `json:"message"`
	Error   string `json:"error,omitempty"`
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
	sc := bufio.NewScanner(in)
	sc.Buffer(make([]byte, 0, 64<<10), wire.MaxMessageSize+1)
	for line := 1; sc.Scan(); line++ {
		if len(sc.Bytes()) == 0 {
			continue
		}
		res, err := applyLine(ctx, eng, line, sc.Bytes())
		if err != nil {
			return err
		}
		if err := printJSON(e.Stdout, res); err != nil {
			return err
		}
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("read line: %w (a line may be at most %d bytes)", err, wire.MaxMessageSize)
	}
	return nil
}

// applyLine decodes and applies one envelope. A malformed line is a
// result, not an error; only infrastructure failures stop the run.
func applyLine(ctx context.Context, eng *cms.Engine, line int, data []byte) (opResult, error) {
	env, err := wire.Decode("", data)
	if err != nil {
		return opResult{Line: line, Status: string(wire.StatusRejected), Outcome: string(outcome.Malformed),
			Message: outcome.Malformed.Message(), Error: err.Error()}, nil
	}
	ack, err := eng.Apply(ctx, env)
	if err != nil {
		return opResult{}, fmt.Errorf("line %d (%s): %w", line, env.ID, err)
	}
	return opResult{Line: line, ID: env.ID, Status: string(ack.Status), Outcome: ack.Outcome, Message: ack.Message}, nil
}
