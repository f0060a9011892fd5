package web

import (
	"bytes"
	"embed"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"strings"
	"time"

	"cnskiosk.dev/cloud/internal/account"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed assets
var assetFS embed.FS

type templates struct{ pages map[string]*template.Template }

var funcs = template.FuncMap{
	"when": func(t time.Time) string {
		if t.IsZero() {
			return "—"
		}
		return t.In(rome).Format("02/01/2006 15:04:05")
	},
	"can":   func(r account.Role, p string) bool { return r.Can(account.Permission(p)) },
	"join":  strings.Join,
	"list":  func(v ...string) []string { return v },
	"cents": func(c int) float64 { return float64(c) / 100 },
	"statusIT": func(s string) string {
		if v, ok := statusLabels[s]; ok {
			return v
		}
		return s
	},
}

var statusLabels = map[string]string{
	"open": "Aperto", "in_progress": "In lavorazione", "resolved": "Risolto",
	"online": "In linea", "offline": "Non in linea", "stale": "Silente", "never": "Mai collegato",
	"signin": "Accesso", "signin_refused": "Accesso rifiutato", "signin_locked": "Accesso bloccato (troppi tentativi)",
	"password_changed": "Password cambiata", "password_reset": "Password reimpostata",
	"account_enabled": "Utenza abilitata", "account_disabled": "Utenza disabilitata",
	"device_disabled": "Dispositivo disabilitato", "device_enabled": "Dispositivo abilitato",
	"device_config": "Configurazione del dispositivo cambiata", "device_command": "Comando inviato al dispositivo",
	"ok": "OK", "absent": "Assente", "error": "Guasto", "paper_end": "Carta esaurita",
	"paper_near_end": "Carta in esaurimento", "cover_open": "Coperchio aperto", "inhibited": "Non attivo",
	"pending": "In corso", "done": "Completata", "failed_cf": "CF errato", "failed_tech": "Errore tecnico",
	"failed": "Non consegnata", "sent": "Inviata",
}

var rome = loadRome()

func loadRome() *time.Location {
	if l, err := time.LoadLocation("Europe/Rome"); err == nil {
		return l
	}
	return time.FixedZone("CET", 3600)
}

func parseTemplates() (*templates, error) {
	names, err := fs.Glob(templateFS, "templates/*.html")
	if err != nil {
		return nil, err
	}
	t := &templates{pages: map[string]*template.Template{}}
	for _, n := range names {
		base := strings.TrimSuffix(strings.TrimPrefix(n, "templates/"), ".html")
		if base == "layout" {
			continue
		}
		p, err := template.New("layout.html").Funcs(funcs).ParseFS(templateFS, "templates/layout.html", n)
		if err != nil {
			return nil, fmt.Errorf("web: template %s: %w", n, err)
		}
		t.pages[base] = p
	}
	return t, nil
}

// view is what every page template receives.
type view struct {
	Title string
	Nav   string
	Sess  *account.Session
	Flash string
	Warn  string // a notice that is not a success (e.g. a command not delivered)
	Error string
	Ref   string // request id of an error page, to quote to support
	Data  any
}

// render executes page into a buffer and writes it only if it succeeded.
func (s *Server) render(w http.ResponseWriter, status int, page string, v view) {
	t, ok := s.tpl.pages[page]
	if !ok {
		s.log.Error("missing template", "page", page)
		http.Error(w, "Errore interno", http.StatusInternalServerError)
		return
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout.html", v); err != nil {
		s.log.Error("render failed", "page", page, "err", err)
		http.Error(w, "Errore interno", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}
