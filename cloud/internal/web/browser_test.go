package web_test

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// browser starts headless Chromium (CNS_TEST_CHROMIUM, else chromium on
// PATH) with a fresh profile and returns a tab context.
func browser(t *testing.T) context.Context {
	t.Helper()
	bin := os.Getenv("CNS_TEST_CHROMIUM")
	if bin == "" {
		var err error
		if bin, err = exec.LookPath("chromium"); err != nil {
			t.Fatalf("headless Chromium is needed (set CNS_TEST_CHROMIUM, run `make setup`): %v", err)
		}
	}
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(bin), chromedp.UserDataDir(t.TempDir()), chromedp.WindowSize(1280, 900),
		chromedp.Flag("headless", true), chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun,
		chromedp.Flag("disable-quic", true), chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true), chromedp.Flag("disable-sync", true),
	}
	actx, cancelA := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelC := chromedp.NewContext(actx, chromedp.WithLogf(t.Logf))
	ctx, cancelT := context.WithTimeout(ctx, 90*time.Second)
	t.Cleanup(func() { cancelT(); cancelC(); cancelA() })
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("start Chromium %s: %v", bin, err)
	}
	return ctx
}

func shot(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatalf("screenshot %s: %v", name, err)
	}
	p := filepath.Join(t.ArtifactDir(), name+".png")
	t.Logf("screenshot %s", p)
	if err := os.WriteFile(p, png, 0o644); err != nil {
		t.Fatal(err)
	}
}

// follow runs steps that load a new page (a link click, a form submit) and
// waits until that page has loaded, so that the next query cannot meet the
// document being replaced ("Could not find node with given id").
func follow(t *testing.T, ctx context.Context, steps ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	resp, err := chromedp.RunResponse(ctx, steps...)
	if err != nil {
		t.Fatal(err)
	}
	if resp.Status != 200 {
		t.Fatalf("%s: HTTP %d", resp.URL, resp.Status)
	}
}

func do(t *testing.T, ctx context.Context, steps ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	if err := chromedp.Do(ctx, steps...); err != nil {
		t.Fatal(err)
	}
}

func text(t *testing.T, ctx context.Context, sel chromedp.CSS) string {
	t.Helper()
	s, err := chromedp.Run(ctx, chromedp.Text(sel))
	if err != nil {
		t.Fatalf("text of %s: %v", sel, err)
	}
	return s
}

func TestBrowserConsole(t *testing.T) {
	e := newEnv(t)
	ctx := browser(t)
	base := e.srv.URL
	do(t, ctx, chromedp.Navigate(base+"/dispositivi"), chromedp.WaitVisible(chromedp.ID("utente")))
	lang, err := chromedp.Run(ctx, chromedp.AttributeValue(chromedp.CSS("html"), "lang"))
	if err != nil || lang.Value != "it" {
		t.Errorf("lang = %+v, %v; want it", lang, err)
	}
	shot(t, ctx, "01-accesso")
	accessible(t, ctx, "accesso")
	do(t, ctx, chromedp.SendKeys(chromedp.ID("utente"), "admin"), chromedp.SendKeys(chromedp.ID("password"), password))
	follow(t, ctx, chromedp.Submit(chromedp.ID("password")))
	do(t, ctx, chromedp.WaitVisible(chromedp.CSS("table caption")))
	if got := text(t, ctx, `#kiosk-001-name`); got != htmlName {
		t.Errorf("device name shown as %q, want the literal text %q", got, htmlName)
	}
	shot(t, ctx, "02-dispositivi")
	accessible(t, ctx, "dispositivi")
	follow(t, ctx, chromedp.Click(chromedp.CSS(`a[href="/dispositivi/kiosk-001"]`)))
	do(t, ctx, chromedp.WaitVisible(chromedp.ID("prezzo")),
		chromedp.SetValue(chromedp.ID("prezzo"), "5,00"), chromedp.Click(chromedp.CSS(`label[for="cap-reissue"]`)))
	follow(t, ctx, chromedp.Submit(chromedp.ID("prezzo")))
	do(t, ctx, chromedp.WaitVisible(chromedp.CSS(".alert-success")))
	if got := text(t, ctx, ".alert-success"); !strings.Contains(got, "Configurazione salvata") {
		t.Errorf("flash = %q", got)
	}
	shot(t, ctx, "03-dispositivo-config")
	accessible(t, ctx, "dispositivo")
	// 105 older tickets still open or in progress: the environment's
	// ticket, the newest, is on the second page of the queue.
	addTickets(t, e, 140)
	do(t, ctx, chromedp.Navigate(base+"/ticket?coda=L1"), chromedp.WaitVisible(chromedp.CSS("table caption")))
	shot(t, ctx, "04-ticket-L1")
	accessible(t, ctx, "ticket L1")
	follow(t, ctx, chromedp.Click(chromedp.CSS(`a[rel="next"]`)))
	do(t, ctx, chromedp.WaitVisible(chromedp.CSS(`a[href="/ticket/`+e.tkt+`"]`)))
	accessible(t, ctx, "ticket L1, pagina 2")
	follow(t, ctx, chromedp.Click(chromedp.CSS(`a[href="/ticket/`+e.tkt+`"]`)))
	do(t, ctx, chromedp.WaitVisible(chromedp.ID("nuovo-stato")), chromedp.SetValue(chromedp.ID("nuovo-stato"), "in_progress"))
	follow(t, ctx, chromedp.Submit(chromedp.ID("nuovo-stato")))
	do(t, ctx, chromedp.WaitVisible(chromedp.CSS(".alert-success")))
	if got := text(t, ctx, "#stato-attuale"); got != "In lavorazione" {
		t.Errorf("ticket state = %q, want In lavorazione", got)
	}
	shot(t, ctx, "05-ticket")
	accessible(t, ctx, "ticket")
	for _, p := range []string{"/operazioni", "/operazioni/op-1", "/fse", "/audit", "/registro", "/profilo"} {
		do(t, ctx, chromedp.Navigate(base+p), chromedp.WaitVisible(chromedp.CSS("main")))
		accessible(t, ctx, p)
	}
	c, err := e.fleet.Config(context.Background(), "kiosk-001")
	if err != nil || c.Version != 1 || c.ReaderPriceCents != 500 || len(c.Capabilities) != 1 {
		t.Errorf("config after the browser change = %+v, %v; want version 1, 500 cents, reissue", c, err)
	}
}
