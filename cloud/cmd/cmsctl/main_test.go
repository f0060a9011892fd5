package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"cnskiosk.dev/cloud/internal/demodata"
	"cnskiosk.dev/cloud/internal/store"
	"cnskiosk.dev/cloud/internal/store/storetest"
	"cnskiosk.dev/shared/wire"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// result is one in-process run of cmsctl.
type result struct {
	out, err string
	code     int
}

// cli runs cmsctl with --db and --key set for the test's directory.
type cli struct {
	t       *testing.T
	db, key string
	dir     string
}

func newCLI(t *testing.T, d store.Dialect) *cli {
	dir := t.TempDir()
	return &cli{t: t, db: storetest.DSN(t, d), key: filepath.Join(dir, "cms.key"), dir: dir}
}

func (c *cli) run(stdin string, args ...string) result {
	c.t.Helper()
	var out, errb bytes.Buffer
	full := append([]string{"-db", c.db, "-key", c.key}, args...)
	err := run(context.Background(), full, strings.NewReader(stdin), &out, &errb)
	r := result{out: out.String(), code: exitCode(err, &errb)}
	r.err = errb.String()
	c.t.Logf("cmsctl %s -> %d\nstdout: %s\nstderr: %s", strings.Join(args, " "), r.code, r.out, r.err)
	return r
}

func (c *cli) file(name, body string) string {
	p := filepath.Join(c.dir, name)
	if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
		c.t.Fatal(err)
	}
	return p
}

func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("golden %s: %v (run go test -update)", name, err)
	}
	if got != string(want) {
		t.Fatalf("output differs from %s:\ngot:\n%s\nwant:\n%s", path, got, want)
	}
}

func TestHelpAndUsage(t *testing.T) {
	c := newCLI(t, store.SQLite)
	r := c.run("", "help")
	if r.code != 0 {
		t.Fatalf("help exit %d", r.code)
	}
	for _, name := range []string{"cf check", "cf decode", "cards import", "cards show", "ops apply", "audit verify", "demo-data", "key generate", "key rotate"} {
		if !strings.Contains(r.err, "\n  "+name+" ") {
			t.Errorf("help does not list %q", name)
		}
	}
	for _, args := range [][]string{{"nope"}, {}, {"cf", "decode"}, {"demo-data", "x"}, {"cards", "import", "-bogus", "f"}} {
		if r := c.run("", args...); r.code != 2 {
			t.Errorf("%v: exit %d, want 2", args, r.code)
		}
	}
}

func TestCF(t *testing.T) {
	c := newCLI(t, store.SQLite)
	tests := []struct {
		args []string
		code int
		out  string
	}{
		{[]string{"cf", "check", "RSSMRA70A01F205V", "MRNLCU00A01H501J"}, 0, "RSSMRA70A01F205V valid\nMRNLCU00A01H501J valid\n"},
		{[]string{"cf", "check", "RSSMRA70A01F205V", "RSSMRA70A01F205X", "ABC"}, 1,
			"RSSMRA70A01F205V valid\nRSSMRA70A01F205X invalid: cf: check character does not match: X, want V\nABC invalid: cf: length is not 16: 3 characters\n"},
		{[]string{"cf", "decode", "MRNLCU00A01H501J"}, 0,
			`{"code":"MRNLCU00A01H501J","base":"MRNLCU00A01H501J","omocode":false,"birth_date":"2000-01-01","sex":"M","place":{"code":"H501","name":"ROMA","province":"RM","foreign":false}}` + "\n"},
		{[]string{"cf", "decode", "RSSMRA70A01F205X"}, 1, "RSSMRA70A01F205X invalid: cf: check character does not match: X, want V\n"},
	}
	for _, tt := range tests {
		r := c.run("", tt.args...)
		if r.code != tt.code || r.out != tt.out {
			t.Errorf("%v: exit %d out %q, want %d %q", tt.args, r.code, r.out, tt.code, tt.out)
		}
	}
}

func TestDemoData(t *testing.T) {
	c := newCLI(t, store.SQLite)
	r := c.run("", "demo-data", "-seed", "3", "-asof", "2026-01-01", "5")
	if r.code != 0 {
		t.Fatalf("exit %d", r.code)
	}
	golden(t, "demo-data-seed3.csv", r.out)
}

func TestKey(t *testing.T) {
	c := newCLI(t, store.SQLite)
	if r := c.run("", "key", "generate"); r.code != 0 || !strings.Contains(r.out, "key id") {
		t.Fatalf("key generate: %+v", r)
	}
	if r := c.run("", "key", "generate"); r.code != 1 {
		t.Fatalf("second key generate: exit %d, want 1", r.code)
	}
	if r := c.run("", "key", "rotate"); r.code != 0 || !strings.Contains(r.out, "new key id") {
		t.Fatalf("key rotate: %+v", r)
	}
}

func demoCSV(t *testing.T, n int) (string, []demodata.Citizen) {
	// Cards valid today: the import refuses cards expired on the import day.
	g := demodata.New(demodata.Options{Seed: 11, AsOf: time.Now().UTC().Truncate(24 * time.Hour)})
	var b strings.Builder
	b.WriteString(strings.Join(demodata.Header, ",") + "\n")
	var cs []demodata.Citizen
	for range n {
		ci, err := g.Next()
		if err != nil {
			t.Fatal(err)
		}
		cs = append(cs, ci)
		b.WriteString(strings.Join(ci.Record(), ",") + "\n")
	}
	return b.String(), cs
}

func TestCardsImportAndShow(t *testing.T) {
	for _, d := range storetest.Dialects() {
		t.Run(string(d), func(t *testing.T) { testCardsImport(t, d) })
	}
}

func testCardsImport(t *testing.T, d store.Dialect) {
	c := newCLI(t, d)
	c.run("", "key", "generate")
	good, cs := demoCSV(t, 3)
	bad := cs[0].Record()
	badCF := append([]string(nil), bad...)
	badCF[0] = badCF[0][:15] + "Z"
	badTEAM := append([]string(nil), bad...)
	badTEAM[1] = badTEAM[1][:19] + string('0'+(badTEAM[1][19]-'0'+1)%10)
	file := good + "only,three,fields\n" + strings.Join(badCF, ",") + "\n" + strings.Join(badTEAM, ",") + "\n"
	r := c.run("", "cards", "import", c.file("cards.csv", file))
	if r.code != 1 || !strings.Contains(r.out, "imported 3, already present 0, rejected 3") {
		t.Fatalf("import: exit %d, out %q", r.code, r.out)
	}
	for _, want := range []string{"line 5: wrong number of fields", "line 6: invalid cf: cf: check character", "line 7: invalid team: team: check digit"} {
		if !strings.Contains(r.err, want) {
			t.Errorf("stderr lacks %q", want)
		}
	}
	r = c.run("", "cards", "import", "-rejects", filepath.Join(c.dir, "rej.csv"), c.file("cards.csv", file))
	if r.code != 1 || !strings.Contains(r.out, "imported 0, already present 3, rejected 3") || r.err != "" {
		t.Fatalf("re-import: exit %d, out %q err %q", r.code, r.out, r.err)
	}
	rej, _ := os.ReadFile(filepath.Join(c.dir, "rej.csv"))
	if !strings.HasPrefix(string(rej), "line,reason\n5,\"wrong number of fields") {
		t.Fatalf("rejects file: %q", rej)
	}
	r = c.run("", "cards", "show", cs[1].TEAM)
	var v cardView
	if err := json.Unmarshal([]byte(r.out), &v); err != nil || r.code != 0 || v.CF != cs[1].CF || !v.HasSecrets || v.State != "not_active" {
		t.Fatalf("cards show: %+v %v", v, err)
	}
	if strings.Contains(r.out, cs[1].PIN) || strings.Contains(r.out, cs[1].PUK) {
		t.Fatalf("cards show leaks a secret")
	}
	if r := c.run("", "cards", "show", cs[2].CF); r.code != 0 || strings.Count(r.out, "\n") != 1 {
		t.Fatalf("show by CF: %+v", r)
	}
	if r := c.run("", "cards", "show", "80380000900000000000"); r.code != 1 {
		t.Fatalf("show unknown card: exit %d, want 1", r.code)
	}
}

func TestCardsImportNeedsKey(t *testing.T) {
	c := newCLI(t, store.SQLite)
	good, _ := demoCSV(t, 1)
	r := c.run("", "cards", "import", c.file("c.csv", good))
	if r.code != 1 || !strings.Contains(r.err, "vault") {
		t.Fatalf("import without key: %+v", r)
	}
}

func TestOpsApplyAndAuditVerify(t *testing.T) {
	c := newCLI(t, store.SQLite)
	c.run("", "key", "generate")
	good, cs := demoCSV(t, 1)
	c.run("", "cards", "import", c.file("c.csv", good))
	card := wire.CardRef{CF: cs[0].CF, TEAM: cs[0].TEAM, Expiry: wire.DateOf(cs[0].Expiry)}
	body := wire.Suspension{Common: wire.Common{Operator: wire.Operator{CF: "MRNLCU00A01H501J", Session: "s"}}, Card: card}
	env, err := wire.New("kiosk-01", 1, wire.OpSuspension, time.Now().Add(-time.Minute), body)
	if err != nil {
		t.Fatal(err)
	}
	line, _ := env.Encode()
	input := string(line) + "\n{not json\n\n" + string(line) + "\n"
	r := c.run("", "ops", "apply", c.file("ops.jsonl", input))
	if r.code != 1 {
		t.Fatalf("ops apply with a malformed line: exit %d, want 1", r.code)
	}
	got := opResults(t, r.out)
	if len(got) != 3 {
		t.Fatalf("results = %d, want 3", len(got))
	}
	if got[0].ID != env.ID || got[0].Status != lineRefused || got[0].AckStatus != string(wire.StatusApplied) ||
		got[0].Outcome == "" || got[0].Outcome == "applied" || got[0].Outcome == "malformed" {
		t.Errorf("line 1: %+v, want refused with the ack status kept", got[0])
	}
	if got[1].Line != 2 || got[1].Status != lineMalformed || got[1].Outcome != "malformed" {
		t.Errorf("line 2: %+v, want malformed", got[1])
	}
	if got[2].Line != 4 || got[2].Status != lineDuplicate || got[2].Outcome != got[0].Outcome {
		t.Errorf("line 4: %+v, want a duplicate of line 1", got[2])
	}
	wantSum := "ops apply: 3 lines: 0 applied, 1 refused (" + got[0].Outcome + " 1), 1 duplicate, 1 malformed\n"
	if !strings.HasSuffix(r.err, wantSum) {
		t.Errorf("stderr %q, want the summary %q", r.err, wantSum)
	}
	r = c.run("", "audit", "verify")
	if r.code != 0 || !strings.Contains(r.out, "1 records in 16 partitions, 0 issues") {
		t.Fatalf("audit verify: %+v", r)
	}
	r = c.run("", "audit", "verify", "-json")
	if r.code != 0 || !strings.Contains(r.out, `"records":1`) {
		t.Fatalf("audit verify -json: %+v", r)
	}
}
