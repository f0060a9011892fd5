package smssim

import (
	"encoding/json"
	"net/http"
	"sync"

	"cnskiosk.dev/cloud/internal/notify"
)

// Gateway is a simulated SMS gateway. Use New.
type Gateway struct {
	mu       sync.Mutex
	msgs     []notify.SMSRequest
	byRef    map[string]int
	failNext int
	failCode int
	failRef  map[string]int // ref -> status every request with it gets
	// Received, if not nil, gets every accepted message (buffered by the caller).
	Received chan notify.SMSRequest
}

// New returns an empty gateway.
func New() *Gateway { return &Gateway{byRef: map[string]int{}, failRef: map[string]int{}} }

// FailNext makes the next n requests answer 503.
func (g *Gateway) FailNext(n int) { g.FailNextWith(n, http.StatusServiceUnavailable) }

// FailNextWith makes the next n requests answer the HTTP status code.
func (g *Gateway) FailNextWith(n, code int) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.failNext, g.failCode = n, code
}

// FailRef makes every request with ref answer the HTTP status code, as a
// gateway refuses one number or one text while it takes the others; code
// 0 accepts ref again. FailNext and FailNextWith come first.
func (g *Gateway) FailRef(ref string, code int) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if code == 0 {
		delete(g.failRef, ref)
		return
	}
	g.failRef[ref] = code
}

// Messages returns the accepted messages in order.
func (g *Gateway) Messages() []notify.SMSRequest {
	g.mu.Lock()
	defer g.mu.Unlock()
	return append([]notify.SMSRequest(nil), g.msgs...)
}

// Deliveries returns how many times a message with ref arrived.
func (g *Gateway) Deliveries(ref string) int {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.byRef[ref]
}

// ServeHTTP accepts one SMS.
func (g *Gateway) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	var m notify.SMSRequest
	if r.Method != http.MethodPost || json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<14)).Decode(&m) != nil || m.To == "" {
		http.Error(w, "bad request", http.StatusBadRequest)
		return
	}
	g.mu.Lock()
	code := g.failRef[m.Ref]
	if g.failNext > 0 {
		g.failNext--
		code = g.failCode
	}
	if code != 0 {
		g.mu.Unlock()
		http.Error(w, http.StatusText(code), code)
		return
	}
	g.msgs = append(g.msgs, m)
	g.byRef[m.Ref]++
	g.mu.Unlock()
	if g.Received != nil {
		g.Received <- m
	}
	w.WriteHeader(http.StatusAccepted)
}
