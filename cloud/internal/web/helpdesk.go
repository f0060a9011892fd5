package web

import (
	"cmp"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"cnskiosk.dev/cloud/internal/fse"
	"cnskiosk.dev/cloud/internal/ticket"
)

// The help-desk queue (/ticket) and the FSE requests (/fse): both page
// with keyset links that keep every filter (pager), and both search by the
// citizen's CF and the card's TEAM code.

// Status filter values of the queue beside the ticket statuses.
const (
	stateActive = ""      // open and in progress, the default
	stateAll    = "tutti" // every status
)

type ticketsData struct {
	Queue, Status, CF, TEAM string
	Statuses                []string // the status options after "active"
	Tickets                 []ticket.Ticket
	Pages                   pager
}

// maxSearch bounds a CF or TEAM search field.
const maxSearch = 32

func searchField(v url.Values, k string) (string, error) {
	s := strings.ToUpper(strings.TrimSpace(v.Get(k)))
	if len(s) > maxSearch {
		return "", fmt.Errorf("%w: %s of %d bytes", invalid(fmt.Sprintf("Il campo di ricerca è troppo lungo (al massimo %d caratteri).", maxSearch)), k, len(s))
	}
	return s, nil
}

// ticketQueryFrom reads the queue's filters: coda (L1 by default), stato
// ("" open and in progress, "tutti", or a status), cf, team and the cursor
// dopo.
func ticketQueryFrom(v url.Values) (ticket.Query, ticketsData, error) {
	d := ticketsData{Queue: cmp.Or(v.Get("coda"), string(ticket.L1)), Status: v.Get("stato"),
		Statuses: []string{string(ticket.Open), string(ticket.InProgress), string(ticket.Resolved), stateAll}}
	q := ticket.Query{Queue: ticket.Queue(d.Queue), After: v.Get("dopo")}
	if !q.Queue.Valid() {
		return q, d, fmt.Errorf("%w: coda %q", invalid("La coda indicata non esiste: scegliere L1 o L2."), d.Queue)
	}
	switch st := ticket.Status(d.Status); {
	case d.Status == stateActive:
		q.Statuses = ticket.Active
	case d.Status == stateAll:
	case st.Valid():
		q.Statuses = []ticket.Status{st}
	default:
		return q, d, fmt.Errorf("%w: stato %q", invalid("Lo stato indicato per il filtro non esiste."), d.Status)
	}
	var err error
	if d.CF, err = searchField(v, "cf"); err != nil {
		return q, d, err
	}
	if d.TEAM, err = searchField(v, "team"); err != nil {
		return q, d, err
	}
	q.CF, q.TEAM = d.CF, d.TEAM
	return q, d, nil
}

func (s *Server) ticketsPage(w http.ResponseWriter, r *http.Request) {
	q, d, err := ticketQueryFrom(r.URL.Query())
	if err == nil {
		d.Tickets, d.Pages.Next, err = ticket.Page(r.Context(), s.db.SQL(), q)
	}
	if errors.Is(err, ticket.ErrCursor) {
		err = fmt.Errorf("%w: %w", invalid(badCursor), err)
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	d.Pages = newPager("/ticket", r.URL.Query(), "dopo", q.After, d.Pages.Next)
	s.render(w, http.StatusOK, "tickets", view{Title: "Help desk " + d.Queue, Nav: "tickets", Sess: sessionFrom(r.Context()), Data: d})
}

// badCursor is what a page says of a cursor the console did not make.
const badCursor = "Il collegamento alla pagina non è valido: ripartire dalla prima pagina."

// FSERequest is one FSE creation request, with its ticket if any.
type FSERequest = fse.Request

type fseData struct {
	Status, CF, TEAM string
	Statuses         []string
	Reqs             []FSERequest
	Pages            pager
}

// fsePage lists FSE requests newest first, filtered by stato, cf and team,
// with the cursor prima.
func (s *Server) fsePage(w http.ResponseWriter, r *http.Request) {
	v := r.URL.Query()
	d := fseData{Status: v.Get("stato"), Statuses: fse.Statuses}
	q := fse.Query{Status: d.Status, Before: v.Get("prima")}
	var err error
	if d.Status != "" && !slices.Contains(fse.Statuses, d.Status) {
		err = fmt.Errorf("%w: stato %q", invalid("Lo stato indicato per il filtro non esiste."), d.Status)
	}
	if err == nil {
		d.CF, err = searchField(v, "cf")
	}
	if err == nil {
		d.TEAM, err = searchField(v, "team")
	}
	if err == nil {
		q.CF, q.TEAM = d.CF, d.TEAM
		d.Reqs, d.Pages.Next, err = fse.List(r.Context(), s.db.SQL(), q)
	}
	if errors.Is(err, fse.ErrCursor) {
		err = fmt.Errorf("%w: %w", invalid(badCursor), err)
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	d.Pages = newPager("/fse", v, "prima", q.Before, d.Pages.Next)
	s.render(w, http.StatusOK, "fse", view{Title: "Richieste FSE", Nav: "fse", Sess: sessionFrom(r.Context()), Data: d})
}
