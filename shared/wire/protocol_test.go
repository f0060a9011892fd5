package wire

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"cnskiosk.dev/shared/outcome"
)

var update = flag.Bool("update", false, "rewrite the generated parts of docs/protocol.md")

// protocolDoc is the wire contract document, at the repository root.
var protocolDoc = filepath.Join("..", "..", "docs", "protocol.md")

var (
	exampleBlock = regexp.MustCompile("(?s)(<!-- begin example ([a-z._]+) -->\n).*?(<!-- end example -->)")
	outcomeBlock = regexp.MustCompile("(?s)(<!-- begin outcomes -->\n).*?(<!-- end outcomes -->)")
)

// TestProtocolDoc checks that docs/protocol.md shows exactly the example
// files and every outcome code with its Italian message. With -update it
// rewrites those parts.
func TestProtocolDoc(t *testing.T) {
	doc, err := os.ReadFile(protocolDoc)
	if err != nil {
		t.Fatalf("the wire contract document: %v", err)
	}
	want := render(t, doc)
	if *update {
		if err := os.WriteFile(protocolDoc, want, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	if !bytes.Equal(doc, want) {
		t.Errorf("docs/protocol.md is out of date with testdata/examples or package outcome; run: go test ./wire -run TestProtocolDoc -update")
	}
}

// render returns doc with its generated sections filled from the examples
// and the outcome codes.
func render(t *testing.T, doc []byte) []byte {
	ex := examples(t)
	shown := map[Type]bool{}
	out := exampleBlock.ReplaceAllFunc(doc, func(m []byte) []byte {
		sub := exampleBlock.FindSubmatch(m)
		typ := Type(sub[2])
		data, ok := ex[typ]
		if !ok {
			t.Errorf("docs/protocol.md shows example %s, which has no file", typ)
			return m
		}
		shown[typ] = true
		return fmt.Appendf(nil, "%s```json\n%s```\n%s", sub[1], ensureNL(data), sub[3])
	})
	for _, typ := range Types() {
		if !shown[typ] {
			t.Errorf("docs/protocol.md has no <!-- begin example %s --> section", typ)
		}
	}
	if !outcomeBlock.Match(out) {
		t.Error("docs/protocol.md has no <!-- begin outcomes --> section")
	}
	return outcomeBlock.ReplaceAllFunc(out, func(m []byte) []byte {
		sub := outcomeBlock.FindSubmatch(m)
		return fmt.Appendf(nil, "%s%s%s", sub[1], outcomeTable(), sub[2])
	})
}

func outcomeTable() string {
	codes := outcome.All()
	slices.Sort(codes)
	var b strings.Builder
	b.WriteString("| code | message shown to the operator |\n|---|---|\n")
	for _, c := range codes {
		fmt.Fprintf(&b, "| `%s` | %s |\n", c, strings.ReplaceAll(c.Message(), "|", "\\|"))
	}
	return b.String()
}

func ensureNL(b []byte) []byte {
	if len(b) > 0 && b[len(b)-1] != '\n' {
		return append(b, '\n')
	}
	return b
}
