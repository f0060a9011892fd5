package main

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/iotest"
	"time"

	"cnskiosk.dev/cloud/internal/store"
	"cnskiosk.dev/cloud/internal/store/storetest"
)

// TestCardsImportSemicolonHeader: a file saved with ';' separators is
// refused with a reason naming them, without a summary and without the
// "import again to continue" hint, which does not apply to a header.
func TestCardsImportSemicolonHeader(t *testing.T) {
	c := newCLI(t, store.SQLite)
	c.run("", "key", "generate")
	good, _ := demoCSV(t, 2)
	r := c.run("", "cards", "import", c.file("excel.csv", strings.ReplaceAll(good, ",", ";")))
	if r.code == 0 {
		t.Fatalf("exit 0, want an error")
	}
	if want := "separated by semicolons (;), not by commas"; !strings.Contains(r.err, want) {
		t.Errorf("stderr %q lacks %q", r.err, want)
	}
	for _, bad := range []string{"continues", "import stopped"} {
		if strings.Contains(r.err, bad) {
			t.Errorf("stderr %q has %q", r.err, bad)
		}
	}
	if r.out != "" {
		t.Errorf("stdout %q, want nothing", r.out)
	}
}

// TestCardsImportConflictAndBrokenLine: a row conflicting with a stored
// card and an unterminated quote are both reported with their lines; the
// rows after the broken line are imported and the summary says the
// import is incomplete.
func TestCardsImportConflictAndBrokenLine(t *testing.T) {
	for _, d := range storetest.Dialects() {
		t.Run(string(d), func(t *testing.T) {
			c := newCLI(t, d)
			c.run("", "key", "generate")
			good, cs := demoCSV(t, 3)
			c.run("", "cards", "import", c.file("first.csv", good))
			lines := strings.Split(strings.TrimSpace(good), "\n")
			other := cs[0].Record()
			other[2] = cs[0].Expiry.AddDate(0, 0, -1).Format(time.DateOnly)
			file := lines[0] + "\n" + strings.Join(other, ",") + "\n" + `"broken,` + lines[2] + "\n" + lines[2] + "\n" + lines[3] + "\n"
			r := c.run("", "cards", "import", c.file("second.csv", file))
			if r.code != 1 {
				t.Fatalf("exit %d, want 1", r.code)
			}
			for _, want := range []string{"rows 4: imported 0, already present 2, rejected 2 (conflicting 1, unreadable 1)",
				"import incomplete: 1 lines could not be read"} {
				if !strings.Contains(r.out, want) {
					t.Errorf("stdout lacks %q", want)
				}
			}
			for _, want := range []string{"line 2: card conflict: TEAM " + cs[0].TEAM + " already issued with other data (different expiry)",
				"line 3: csv syntax error: field 1: unterminated quoted field"} {
				if !strings.Contains(r.err, want) {
					t.Errorf("stderr lacks %q", want)
				}
			}
		})
	}
}

// TestCardsImportStopped: an import that stops on a read error says after
// which line, keeps what it read before and exits 1.
func TestCardsImportStopped(t *testing.T) {
	c := newCLI(t, store.SQLite)
	c.run("", "key", "generate")
	good, _ := demoCSV(t, 3)
	stdin := io.MultiReader(strings.NewReader(good), iotest.ErrReader(errors.New("pipe broke")))
	var out, errb bytes.Buffer
	err := run(t.Context(), []string{"-db", c.db, "-key", c.key, "cards", "import", "-"}, stdin, &out, &errb)
	if code := exitCode(err, &errb); code != 1 {
		t.Fatalf("exit %d, want 1", code)
	}
	if !strings.Contains(out.String(), "imported 3,") || !strings.Contains(errb.String(), "import stopped after line 4") {
		t.Fatalf("stdout %q stderr %q", out.String(), errb.String())
	}
}

func TestRejectsFilePrivate(t *testing.T) {
	c := newCLI(t, store.SQLite)
	c.run("", "key", "generate")
	path := filepath.Join(c.dir, "rej.csv")
	c.run("", "cards", "import", "-rejects", path, c.file("c.csv", "cf,team,expiry,surname,name,birth_date,sex,birth_place,pin,puk\na,b\n"))
	fi, err := os.Stat(path)
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("rejects file mode %v (%v), want 0600", fi.Mode().Perm(), err)
	}
}

func TestNoProgressBarOffTerminal(t *testing.T) {
	null, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer null.Close()
	if progressBar(null, 100) != nil || progressBar(&bytes.Buffer{}, 100) != nil {
		t.Fatal("a progress bar is drawn on something that is not a terminal")
	}
}
