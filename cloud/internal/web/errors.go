package web

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"log/slog"
	"net/http"

	"cnskiosk.dev/cloud/internal/fleet"
	"cnskiosk.dev/cloud/internal/ticket"
)

// Sentinel errors.
var (
	ErrConfig    = errors.New("web: invalid configuration")
	ErrForbidden = errors.New("web: forbidden")
	ErrBadInput  = errors.New("web: bad input")
)

var errNotFound = errors.New("web: not found")

// userInput is bad input with a sentence that tells the user what to fix;
// it matches ErrBadInput. The detail for the log is in the error it is
// wrapped in, e.g. fmt.Errorf("%w: price %q", invalid("..."), v).
type userInput struct{ msg string }

func (e *userInput) Error() string        { return "web: bad input: " + e.msg }
func (e *userInput) Is(target error) bool { return target == ErrBadInput }

// invalid returns bad input whose page shows msg (Italian, a full
// sentence).
func invalid(msg string) error { return &userInput{msg} }

// failure is what the user sees of an error: a status, a title and an
// Italian sentence. The error itself goes to the log only.
type failure struct {
	status       int
	title, msg   string
	level        slog.Level
	showsRequest bool // the page gives the request id to quote to support
}

// explain maps an error to what the user is told, by kind.
func explain(err error) failure {
	var in *userInput
	switch {
	case errors.As(err, &in):
		return failure{http.StatusBadRequest, "Dati non validi", in.msg, slog.LevelInfo, false}
	case errors.Is(err, ticket.ErrTransition):
		return failure{http.StatusBadRequest, "Cambio di stato non consentito",
			"Il ticket è già in questo stato oppure non può passarvi dallo stato attuale. Ricaricare la pagina per vederne lo stato.", slog.LevelInfo, false}
	case errors.Is(err, ticket.ErrStatus):
		return failure{http.StatusBadRequest, "Dati non validi", "Lo stato del ticket indicato non è valido.", slog.LevelInfo, false}
	case errors.Is(err, fleet.ErrUnknownCmd):
		return failure{http.StatusBadRequest, "Dati non validi", "Il comando richiesto non è previsto per i dispositivi.", slog.LevelInfo, false}
	case errors.Is(err, ErrBadInput), errors.Is(err, fleet.ErrInvalid):
		return failure{http.StatusBadRequest, "Dati non validi",
			"Alcuni dati inviati non sono validi. Controllare i campi del modulo o i filtri e riprovare.", slog.LevelInfo, false}
	case errors.Is(err, errNotFound), errors.Is(err, ticket.ErrNotFound), errors.Is(err, fleet.ErrUnknownDevice):
		return failure{http.StatusNotFound, "Elemento non trovato",
			"L'elemento richiesto non esiste o non è più disponibile.", slog.LevelInfo, false}
	case errors.Is(err, errNoFleet):
		return failure{http.StatusServiceUnavailable, "Servizio non disponibile",
			"Il registro dei dispositivi non è disponibile in questo momento. Riprovare più tardi.", slog.LevelWarn, true}
	}
	return failure{http.StatusInternalServerError, "Errore",
		"Si è verificato un errore interno. Riprovare più tardi; se il problema continua, comunicare all'assistenza il codice della richiesta.", slog.LevelError, true}
}

// fail answers a page request that failed: the page says what happened in
// Italian, the log keeps the error with a request id the page also shows.
func (s *Server) fail(w http.ResponseWriter, r *http.Request, err error) {
	f, id := explain(err), requestID()
	s.log.Log(r.Context(), f.level, "console request failed", "request_id", id, "method", r.Method,
		"path", r.URL.Path, "status", f.status, "err", err)
	v := view{Title: f.title, Sess: sessionFrom(r.Context()), Error: f.msg}
	if f.showsRequest {
		v.Ref = id
	}
	s.render(w, f.status, "error", v)
}

// requestID is a short random id that joins a page to its log line.
func requestID() string {
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
