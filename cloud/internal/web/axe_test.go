package web_test

import (
	"context"
	_ "embed"
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// axeSource is axe-core 4.14.1 (MPL-2.0, Deque Systems), see docs/console.md.
//
//go:embed testdata/axe.min.js
var axeSource string

// axeRun checks the page against WCAG 2.0/2.1 A and AA.
const axeRun = `axe.run(document, {runOnly: {type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}})
	.then(r => JSON.stringify(r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
		nodes: v.nodes.slice(0, 3).map(n => n.target.join(" "))}))))`

type violation struct {
	ID, Impact, Help string
	Nodes            []string
}

// axeViolations injects axe-core into the current page and runs it.
func axeViolations(t *testing.T, ctx context.Context, page string) []violation {
	t.Helper()
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[any](axeSource+";0")); err != nil {
		t.Fatalf("%s: inject axe-core: %v", page, err)
	}
	out, err := chromedp.Run(ctx, chromedp.Evaluate[string](axeRun, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatalf("%s: axe.run: %v", page, err)
	}
	var vs []violation
	if err := json.Unmarshal([]byte(out), &vs); err != nil {
		t.Fatalf("%s: axe result %q: %v", page, out, err)
	}
	return vs
}

// accessible fails the test on any WCAG violation of the current page.
func accessible(t *testing.T, ctx context.Context, page string) {
	t.Helper()
	for _, v := range axeViolations(t, ctx, page) {
		t.Errorf("%s: WCAG violation %s (%s): %s at %s", page, v.ID, v.Impact, v.Help, strings.Join(v.Nodes, "; "))
	}
}

// TestAxeFindsViolations: the check itself reports a page without lang
// and with an unlabelled field.
func TestAxeFindsViolations(t *testing.T) {
	ctx := browser(t)
	do(t, ctx, chromedp.Navigate(`data:text/html,<html><title>x</title><body><main><input id=a></main></body></html>`),
		chromedp.WaitVisible(chromedp.ID("a")))
	var ids []string
	for _, v := range axeViolations(t, ctx, "bad page") {
		ids = append(ids, v.ID)
	}
	if !slices.Contains(ids, "html-has-lang") || !slices.Contains(ids, "label") {
		t.Errorf("violations %v, want html-has-lang and label", ids)
	}
}
