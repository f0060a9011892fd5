package web_test

import (
	"fmt"
	"html"
	"strings"
	"testing"
	"time"
)

// olderLink returns the href of the rel="next" link of body ("" if none).
func olderLink(body string) string {
	m := nextLink.FindStringSubmatch(body)
	if m == nil {
		return ""
	}
	return html.UnescapeString(m[1])
}

// TestHealthPagesSharedTime: health entries sharing one time across the
// page boundary are each on exactly one page of the device page; the
// notice of an undelivered command is not carried to the older entries.
func TestHealthPagesSharedTime(t *testing.T) {
	e := newEnv(t)
	admin := e.client(t, "admin")
	at := time.Now().Add(-time.Hour).UnixMicro()
	for i := range 60 {
		if _, err := e.db.SQL().Exec(`INSERT INTO device_health (dev, at, online, firmware) VALUES ('kiosk-002', $1, 1, $2)`,
			at, fmt.Sprintf("fw-%d", i)); err != nil {
			t.Fatal(err)
		}
	}
	const notice = "Comando registrato ma non consegnato"
	_, first := get(t, admin, e.srv.URL+"/dispositivi/kiosk-002?warn=comando")
	if !strings.Contains(first, notice) {
		t.Fatalf("first page does not show the warning of the redirect")
	}
	next := olderLink(first)
	if next == "" {
		t.Fatalf("first page has no link to the older entries")
	}
	if strings.Contains(next, "warn") {
		t.Errorf("link to the older entries %q keeps the warning", next)
	}
	_, second := get(t, admin, e.srv.URL+next)
	if strings.Contains(second, notice) {
		t.Errorf("older entries page (%s) shows the warning again", next)
	}
	if olderLink(second) != "" {
		t.Errorf("second page links to a third")
	}
	for i := range 60 {
		cell := fmt.Sprintf("<td>fw-%d</td>", i)
		if n := strings.Count(first, cell) + strings.Count(second, cell); n != 1 {
			t.Errorf("entry fw-%d on %d pages, want 1", i, n)
		}
	}
}
