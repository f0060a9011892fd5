package web_test

import (
	"encoding/json"
	"go/ast"
	"go/parser"
	"go/token"
	"maps"
	"net/http"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"cnskiosk.dev/cloud/internal/ticket"
	"cnskiosk.dev/cloud/internal/web"
)

// apiPattern is a ServeMux pattern of the JSON API: "METHOD /api/v1/...".
var apiPattern = regexp.MustCompile(`^(GET|POST|PUT|PATCH|DELETE) (/api/v1/\S*)$`)

// registeredRoutes returns every API pattern written in the package's
// non-test sources, as "METHOD /path".
func registeredRoutes(t *testing.T) []string {
	t.Helper()
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	var out []string
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, parser.SkipObjectResolution)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(f, func(n ast.Node) bool {
			if lit, ok := n.(*ast.BasicLit); ok && lit.Kind == token.STRING {
				if s, err := strconv.Unquote(lit.Value); err == nil && apiPattern.MatchString(s) {
					out = append(out, s)
				}
			}
			return true
		})
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// documentedRoutes returns every operation of openapi.json as "METHOD /path".
func documentedRoutes(t *testing.T) []string {
	t.Helper()
	b, err := os.ReadFile("openapi.json")
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Paths map[string]map[string]json.RawMessage `json:"paths"`
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatalf("openapi.json: %v", err)
	}
	var out []string
	for p, ops := range doc.Paths {
		for m := range ops {
			switch m {
			case "get", "put", "post", "patch", "delete":
				out = append(out, strings.ToUpper(m)+" "+p)
			}
		}
	}
	slices.Sort(out)
	return out
}

// TestOpenAPIMatchesRouter: every /api/v1 route the router registers is in
// openapi.json and every documented operation is registered, so the
// document cannot drift from the code.
func TestOpenAPIMatchesRouter(t *testing.T) {
	reg, doc := registeredRoutes(t), documentedRoutes(t)
	if len(reg) == 0 {
		t.Fatal("no /api/v1 pattern found in the package sources")
	}
	for _, r := range reg {
		if !slices.Contains(doc, r) {
			t.Errorf("route %q is registered but not documented in openapi.json", r)
		}
	}
	for _, d := range doc {
		if !slices.Contains(reg, d) {
			t.Errorf("openapi.json documents %q, which the router does not register", d)
		}
	}
}

// TestOpenAPIRoutesServed asks the running console for every documented
// operation without signing in: each must be routed (401 behind sign-in,
// 200 for the public document), never 404 or 405.
func TestOpenAPIRoutesServed(t *testing.T) {
	e := newEnv(t)
	for _, r := range documentedRoutes(t) {
		method, path, _ := strings.Cut(r, " ")
		path = regexp.MustCompile(`\{[^}]+\}`).ReplaceAllString(path, "x")
		req, err := http.NewRequest(method, e.srv.URL+path, strings.NewReader("{}"))
		if err != nil {
			t.Fatal(err)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		want := http.StatusUnauthorized
		if path == "/api/v1/openapi.json" {
			want = http.StatusOK
		}
		if resp.StatusCode != want {
			t.Errorf("%s %s = %d, want %d", method, path, resp.StatusCode, want)
		}
	}
}

// TestOpenAPISchemasMatchTypes: the properties of a documented schema are
// the JSON fields of the Go type the API encodes, no more and no fewer.
func TestOpenAPISchemasMatchTypes(t *testing.T) {
	b, err := os.ReadFile("openapi.json")
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Components struct {
			Schemas map[string]struct {
				Properties map[string]json.RawMessage `json:"properties"`
			} `json:"schemas"`
		} `json:"components"`
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	for name, v := range map[string]any{"Ticket": ticket.Ticket{}, "FSERequest": web.FSERequest{}, "CommandSent": web.CommandSent{}} {
		var want []string
		typ := reflect.TypeOf(v)
		for i := range typ.NumField() {
			if tag, _, _ := strings.Cut(typ.Field(i).Tag.Get("json"), ","); tag != "" && tag != "-" {
				want = append(want, tag)
			}
		}
		got := slices.Sorted(maps.Keys(doc.Components.Schemas[name].Properties))
		slices.Sort(want)
		if !slices.Equal(got, want) {
			t.Errorf("schema %s has properties %v, the Go type encodes %v", name, got, want)
		}
	}
}
