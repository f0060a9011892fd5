package main

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"cnskiosk.dev/cloud/internal/store"
	"cnskiosk.dev/shared/wire"
)

func opResults(t *testing.T, out string) []opResult {
	t.Helper()
	var got []opResult
	for _, l := range strings.Split(strings.TrimSpace(out), "\n") {
		var o opResult
		if err := json.Unmarshal([]byte(l), &o); err != nil {
			t.Fatalf("output line %q: %v", l, err)
		}
		got = append(got, o)
	}
	return got
}

func TestLineStatus(t *testing.T) {
	tests := []struct {
		ack  wire.Ack
		want string
	}{
		{wire.Ack{Status: wire.StatusApplied, Outcome: "applied"}, lineApplied},
		{wire.Ack{Status: wire.StatusApplied, Outcome: "card_not_found"}, lineRefused},
		{wire.Ack{Status: wire.StatusDuplicate, Outcome: "card_not_found"}, lineDuplicate},
		{wire.Ack{Status: wire.StatusRetry, Outcome: "internal_error"}, lineRetry},
		{wire.Ack{Status: wire.StatusRejected, Outcome: "device_unknown"}, lineRejected},
	}
	for _, tt := range tests {
		if got := lineStatus(tt.ack); got != tt.want {
			t.Errorf("lineStatus(%s/%s) = %s, want %s", tt.ack.Status, tt.ack.Outcome, got, tt.want)
		}
	}
}

// TestOpsApplyLongLine: a line over the message size is reported as
// malformed and the lines after it are still applied.
func TestOpsApplyLongLine(t *testing.T) {
	c := newCLI(t, store.SQLite)
	c.run("", "key", "generate")
	card := wire.CardRef{CF: "RSSMRA70A01F205V", TEAM: "80380000900090510553", Expiry: wire.DateOf(time.Date(2031, 5, 7, 0, 0, 0, 0, time.UTC))}
	body := wire.Suspension{Common: wire.Common{Operator: wire.Operator{CF: "MRNLCU00A01H501J", Session: "s"}}, Card: card}
	env, err := wire.New("kiosk-01", 1, wire.OpSuspension, time.Now().Add(-time.Minute), body)
	if err != nil {
		t.Fatal(err)
	}
	line, _ := env.Encode()
	input := strings.Repeat("x", wire.MaxMessageSize+10) + "\r\n" + string(line) // no final newline
	var out, errb strings.Builder
	err = run(t.Context(), []string{"-db", c.db, "-key", c.key, "ops", "apply", "-"}, strings.NewReader(input), &out, &errb)
	if code := exitCode(err, &errb); code != 1 {
		t.Fatalf("exit %d, want 1 (a malformed line); stderr %s", code, errb.String())
	}
	got := opResults(t, out.String())
	if len(got) != 2 || got[0].Line != 1 || got[0].Status != lineMalformed || !strings.Contains(got[0].Error, "longer than") ||
		got[1].Line != 2 || got[1].ID != env.ID || got[1].Status == lineMalformed {
		t.Fatalf("results %+v, want line 1 malformed (too long) and line 2 processed", got)
	}
}
