package fse

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
)

// Consents are the FSE consents recorded with the request.
type Consents struct {
	Policy string   `json:"policy"`
	Given  []string `json:"given"`
}

// Service creates an FSE at the regional service. id is the request's
// fse_requests.id, the same on every attempt: the service must create the
// record once per id (a retry after a lost answer is not a new request).
// It returns nil, an error wrapping ErrCF, or any other error (treated as
// technical and retried).
type Service interface {
	Create(ctx context.Context, id, cf string, c Consents) error
}

// HTTPService posts {"request_id":..., "cf":..., "consents":{...}} to URL
// with the header Idempotency-Key: request_id. 2xx is success; 422 with a
// JSON object whose "code" is "cf" is ErrCF (its "message", if a string,
// goes into the error); anything else is ErrTechnical.
type HTTPService struct {
	URL    string
	Client *http.Client
}

// IdempotencyHeader carries the request id of a creation.
const IdempotencyHeader = "Idempotency-Key"

// CreateRequest is the body HTTPService sends.
type CreateRequest struct {
	RequestID string   `json:"request_id"` // also the Idempotency-Key header
	CF        string   `json:"cf"`
	Consents  Consents `json:"consents"`
}

// ErrorBody is the body of a refusal.
type ErrorBody struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

// Create implements Service.
func (s HTTPService) Create(ctx context.Context, id, cf string, c Consents) error {
	b, err := json.Marshal(CreateRequest{RequestID: id, CF: cf, Consents: c})
	if err != nil {
		return fmt.Errorf("%w: %w", ErrTechnical, err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.URL, bytes.NewReader(b))
	if err != nil {
		return fmt.Errorf("%w: %w", ErrTechnical, err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set(IdempotencyHeader, id)
	cl := s.Client
	if cl == nil {
		cl = http.DefaultClient
	}
	res, err := cl.Do(req)
	if err != nil {
		return fmt.Errorf("%w: %w", ErrTechnical, err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(res.Body, 4096))
	if res.StatusCode/100 == 2 {
		return nil
	}
	if msg, ok := cfRefusal(res.StatusCode, body); ok {
		return fmt.Errorf("%w: %s", ErrCF, msg)
	}
	return fmt.Errorf("%w: HTTP %d", ErrTechnical, res.StatusCode)
}

// cfRefusal reports whether an answer is the refusal "codice fiscale
// errato o mancante": HTTP 422 with a JSON object whose "code" is "cf". A
// "message" that is not a string does not change that; it is left out.
func cfRefusal(status int, body []byte) (string, bool) {
	var fields map[string]json.RawMessage
	if status != http.StatusUnprocessableEntity || json.Unmarshal(body, &fields) != nil {
		return "", false
	}
	var code, msg string
	if json.Unmarshal(fields["code"], &code) != nil || code != "cf" {
		return "", false
	}
	_ = json.Unmarshal(fields["message"], &msg)
	return msg, true
}
