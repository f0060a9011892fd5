package web_test

import (
	"context"
	"encoding/json"
	"fmt"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"cnskiosk.dev/cloud/internal/fleet"
)

// addOps inserts n operations of dev; every third shares its time with the
// previous one, so pages must break ties by id.
func addOps(t *testing.T, e *env, dev string, n int) []string {
	t.Helper()
	base := time.Date(2026, 2, 1, 9, 0, 0, 0, time.UTC)
	var ids []string
	for i := range n {
		id := fmt.Sprintf("op-%s-%04d", dev, i)
		at := base.Add(time.Duration(i-i%3) * time.Second).UnixMicro()
		_, err := e.db.SQL().ExecContext(context.Background(), `INSERT INTO operations (op_id, dev, seq, type, outcome, at, applied_at)
			VALUES ($1, $2, $3, 'activation', 'OK', $4, $4)`, id, dev, i+1, at)
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
	}
	return ids
}

// walk follows the API's next cursors and returns every id seen.
func walk(t *testing.T, c *http.Client, first, key, cursor string) []string {
	t.Helper()
	var seen []string
	u := first
	for range 100 {
		code, body := get(t, c, u)
		var page map[string]json.RawMessage
		if code != 200 || json.Unmarshal([]byte(body), &page) != nil {
			t.Fatalf("GET %s: %d %.200s", u, code, body)
		}
		var items []struct {
			OpID string `json:"op_id"`
			ID   string `json:"ID"`
		}
		var next string
		_ = json.Unmarshal(page[key], &items)
		_ = json.Unmarshal(page["next"], &next)
		for _, it := range items {
			seen = append(seen, it.OpID+it.ID)
		}
		if next == "" {
			return seen
		}
		u = first + "&" + cursor + "=" + url.QueryEscape(next)
	}
	t.Fatal("pagination does not end")
	return nil
}

func TestOperationsPagination(t *testing.T) {
	e := newEnv(t)
	want := addOps(t, e, "kiosk-001", 250)
	addOps(t, e, "kiosk-002", 30)
	slices.Reverse(want) // newest first
	c := e.client(t, "supervisore")
	got := walk(t, c, e.srv.URL+"/api/v1/operations?device=kiosk-001&limit=40", "operations", "before")
	if !slices.Equal(got, want) {
		t.Errorf("walked %d operations, want %d newest first without gaps or repeats", len(got), len(want))
	}
	_, body := get(t, c, e.srv.URL+"/operazioni?dispositivo=kiosk-001&esito=OK")
	next := regexp.MustCompile(`href="(/operazioni\?[^"]*)" rel="next"`).FindStringSubmatch(body)
	if next == nil {
		t.Fatal("the first page has no next link")
	}
	link := html.UnescapeString(next[1])
	for _, p := range []string{"dispositivo=kiosk-001", "esito=OK", "prima="} {
		if !strings.Contains(link, p) {
			t.Errorf("next link %q lacks %s", link, p)
		}
	}
	_, body = get(t, c, e.srv.URL+link)
	if !strings.Contains(body, "Prima pagina") || strings.Contains(body, "kiosk-002") {
		t.Errorf("second page: no first-page link, or the filter was lost")
	}
	if code, _ := get(t, c, e.srv.URL+"/operazioni?prima=rotto"); code != 400 {
		t.Errorf("bad cursor: %d, want 400", code)
	}
}

func TestFleetPagination(t *testing.T) {
	e := newEnv(t)
	want := []string{"kiosk-001", "kiosk-002"}
	for i := range 230 {
		id := fmt.Sprintf("kiosk-1%03d", i)
		if err := e.fleet.Register(context.Background(), fleet.Device{ID: id, Site: "Firenze"}); err != nil {
			t.Fatal(err)
		}
		want = append(want, id)
	}
	c := e.client(t, "admin")
	if got := walk(t, c, e.srv.URL+"/api/v1/devices?limit=70", "devices", "after"); !slices.Equal(got, want) {
		t.Errorf("walked %d devices, want %d in id order", len(got), len(want))
	}
	got := walk(t, c, e.srv.URL+"/api/v1/devices?presence=never&site=Firenze&limit=50", "devices", "after")
	if len(got) != 230 {
		t.Errorf("filtered walk: %d devices, want 230", len(got))
	}
	_, body := get(t, c, e.srv.URL+"/dispositivi?sede=Firenze&presenza=never")
	next := regexp.MustCompile(`href="(/dispositivi\?[^"]*)" rel="next"`).FindStringSubmatch(body)
	if next == nil || !strings.Contains(next[1], "sede=Firenze") || !strings.Contains(next[1], "presenza=never") {
		t.Fatalf("next link %v does not keep the filters", next)
	}
	if n := strings.Count(body, `<th scope="row">`); n != 100 {
		t.Errorf("first page: %d devices, want 100", n)
	}
}
