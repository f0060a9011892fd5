package web_test

import (
	"context"
	"encoding/json"
	"fmt"
	"html"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"cnskiosk.dev/cloud/internal/rules"
	"cnskiosk.dev/shared/wire"
)

var sameOrigin = map[string]string{"Sec-Fetch-Site": "same-origin"}

// TestDisableDevice: an admin disables a device (its live connection is
// dropped and the console log records it) and enables it again; an
// auditor and a post without the CSRF token cannot.
func TestDisableDevice(t *testing.T) {
	e := newEnv(t)
	admin, auditor := e.client(t, "admin"), e.client(t, "revisore")
	tok := e.csrf(t, admin)
	u := e.srv.URL + "/dispositivi/"
	tests := []struct {
		name, path string
		c          *http.Client
		tok        string
		want       int
		enabled    bool
	}{
		{"no token", "kiosk-001/disattiva", admin, "", 403, true},
		{"auditor", "kiosk-001/disattiva", auditor, e.csrf(t, auditor), 403, true},
		{"unknown device", "nessuno/disattiva", admin, tok, 404, true},
		{"admin disables", "kiosk-001/disattiva", admin, tok, 303, false},
		{"admin enables", "kiosk-001/attiva", admin, tok, 303, true},
		{"admin disables again", "kiosk-001/disattiva", admin, tok, 303, false},
	}
	for _, tt := range tests {
		if got := post(t, tt.c, u+tt.path, url.Values{"csrf": {tt.tok}}, sameOrigin); got != tt.want {
			t.Errorf("%s: %d, want %d", tt.name, got, tt.want)
		}
		d, err := e.fleet.Get(context.Background(), "kiosk-001")
		if err != nil || d.Enabled != tt.enabled {
			t.Errorf("%s: enabled = %v (%v), want %v", tt.name, d.Enabled, err, tt.enabled)
		}
	}
	if got, want := e.kick.got(), []string{"kiosk-001", "kiosk-001"}; !slices.Equal(got, want) {
		t.Errorf("kicked %v, want %v", got, want)
	}
	_, body := get(t, admin, e.srv.URL+"/registro")
	if strings.Count(body, "<td>Dispositivo disabilitato</td>") != 2 || strings.Count(body, "<td>Dispositivo abilitato</td>") != 1 {
		t.Errorf("console log lacks the device changes:\n%.2000s", body)
	}
	if _, body := get(t, admin, u+"kiosk-001"); !strings.Contains(body, "Riattiva il dispositivo") {
		t.Errorf("device page of a disabled device offers no enable button")
	}
}

func TestDisableDeviceAPI(t *testing.T) {
	e := newEnv(t)
	admin := e.client(t, "admin")
	tok := e.csrf(t, admin)
	for _, tt := range []struct {
		path string
		tok  string
		want int
	}{{"disable", "", 403}, {"disable", tok, 200}, {"enable", tok, 200}} {
		if got := post(t, admin, e.srv.URL+"/api/v1/devices/kiosk-002/"+tt.path, nil, map[string]string{"X-CSRF-Token": tt.tok}); got != tt.want {
			t.Errorf("%s with token %v: %d, want %d", tt.path, tt.tok != "", got, tt.want)
		}
	}
	if got := e.kick.got(); !slices.Equal(got, []string{"kiosk-002"}) {
		t.Errorf("kicked %v, want [kiosk-002]", got)
	}
}

// TestConfigWritesCounter: the capabilities of the config form go to the
// counters table, which the form shows; only the engine's capabilities
// and accepted consent policies are offered and taken.
func TestConfigWritesCounter(t *testing.T) {
	e := newEnv(t)
	admin := e.client(t, "admin")
	tok := e.csrf(t, admin)
	u := e.srv.URL + "/dispositivi/kiosk-002/configurazione"
	form := func(caps []string, policy string) url.Values {
		return url.Values{"csrf": {tok}, "capacita": caps, "consensi": {policy}, "lingue": {"it"}, "prezzo": {"4.20"}}
	}
	tests := []struct {
		name   string
		caps   []string
		policy string
		want   int
		caps2  []rules.Capability
	}{
		{"payment is no engine capability", []string{"payment"}, "fse-2015", 400, nil},
		{"policy not accepted", []string{"reissue"}, "fse-2020", 400, nil},
		{"reissue", []string{"reissue"}, "fse-2015", 303, []rules.Capability{rules.CapReissue}},
		{"none", nil, "fse-2015", 303, []rules.Capability{}},
	}
	for _, tt := range tests {
		if got := post(t, admin, u, form(tt.caps, tt.policy), sameOrigin); got != tt.want {
			t.Errorf("%s: %d, want %d", tt.name, got, tt.want)
			continue
		}
		if tt.caps2 == nil {
			continue
		}
		c, err := e.counters.GetCounter(context.Background(), "kiosk-002")
		if err != nil || !slices.Equal(c.Capabilities, tt.caps2) && len(c.Capabilities)+len(tt.caps2) > 0 {
			t.Errorf("%s: counter = %+v, %v; want capabilities %v", tt.name, c, err, tt.caps2)
		}
	}
	if err := e.counters.UpsertCounter(context.Background(), rules.Counter{ID: "kiosk-002", Capabilities: []rules.Capability{rules.CapReissue}}); err != nil {
		t.Fatal(err)
	}
	_, body := get(t, admin, e.srv.URL+"/dispositivi/kiosk-002")
	if !strings.Contains(body, `value="reissue" checked`) || strings.Contains(body, `value="payment"`) {
		t.Errorf("the form does not show the counter's capabilities only")
	}
	if !strings.Contains(body, `<option value="fse-2015"`) || strings.Contains(body, `<option value="fse-2020"`) {
		t.Errorf("the form offers consent policies the engine does not accept")
	}
}

// TestConfigMovesCounter: the counter field of the config form moves the
// device to another counter (the registry row the engine reads), the
// capabilities go to that counter, and the form shows it; the API does
// the same.
func TestConfigMovesCounter(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	admin := e.client(t, "admin")
	tok := e.csrf(t, admin)
	form := url.Values{"csrf": {tok}, "sportello": {"desk-9"}, "capacita": {"reissue"}, "consensi": {"fse-2015"}, "lingue": {"it"}, "prezzo": {"4"}}
	if got := post(t, admin, e.srv.URL+"/dispositivi/kiosk-002/configurazione", form, sameOrigin); got != 303 {
		t.Fatalf("config post: %d", got)
	}
	d, err := e.fleet.Get(ctx, "kiosk-002")
	if err != nil || d.Counter != "desk-9" {
		t.Errorf("device counter = %q (%v), want desk-9", d.Counter, err)
	}
	c, err := e.counters.GetCounter(ctx, "desk-9")
	if err != nil || !slices.Equal(c.Capabilities, []rules.Capability{rules.CapReissue}) {
		t.Errorf("counter desk-9 = %+v, %v; want reissue", c, err)
	}
	if _, body := get(t, admin, e.srv.URL+"/dispositivi/kiosk-002"); !strings.Contains(body, `value="desk-9"`) {
		t.Errorf("the form does not show the device's counter")
	}
	code, body := putJSON(t, admin, e.srv.URL+"/api/v1/devices/kiosk-002/config", tok,
		`{"counter":"desk-10","capabilities":[],"consent_policy":"fse-2015","languages":["it"],"reader_price_cents":0}`)
	if d, _ := e.fleet.Get(ctx, "kiosk-002"); code != 200 || d.Counter != "desk-10" || !strings.Contains(body, `"counter":"desk-10"`) {
		t.Errorf("API: %d %s, device counter %q; want desk-10", code, body, d.Counter)
	}
}

func TestOperationDetail(t *testing.T) {
	e := newEnv(t)
	c := e.client(t, "supervisore")
	code, body := get(t, c, e.srv.URL+"/operazioni/op-1")
	for _, want := range []string{"Verdi", "VRDNNA80A41H501X", "CA12345XY", "Comune di Firenze", "delegate"} {
		if code != 200 || !strings.Contains(body, want) {
			t.Errorf("operation page: %d, lacks %q", code, want)
		}
	}
	if code, _ := get(t, c, e.srv.URL+"/operazioni/op-2"); code != 404 {
		t.Errorf("unknown operation: %d, want 404", code)
	}
	code, body = get(t, c, e.srv.URL+"/api/v1/operations/op-1")
	if code != 200 || !strings.Contains(body, `"number":"CA12345XY"`) || !strings.Contains(body, `"cf":"VRDNNA80A41H501X"`) {
		t.Errorf("operation API: %d %s", code, body)
	}
}

// putJSON sends body with PUT and the CSRF token, and returns the status
// and the answer.
func putJSON(t *testing.T, c *http.Client, u, tok, body string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPut, u, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-CSRF-Token", tok)
	res, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(b)
}

// TestConfigValidation: the console refuses a bad config with a page that
// says in Italian which field to fix, the API with 400 and the same
// sentence; nothing is stored.
func TestConfigValidation(t *testing.T) {
	e := newEnv(t)
	admin := e.client(t, "admin")
	tok := e.csrf(t, admin)
	form := func(change func(url.Values)) url.Values {
		v := url.Values{"csrf": {tok}, "sportello": {"desk-1"}, "capacita": {"reissue"}, "consensi": {"fse-2015"}, "lingue": {"it"}, "prezzo": {"4,20"}}
		change(v)
		return v
	}
	tests := []struct {
		name string
		form url.Values
		json string
		want string // in the page and in the API's error
	}{
		{"no language", form(func(v url.Values) { v.Del("lingue") }),
			`{"languages":[],"consent_policy":"fse-2015"}`, "Scegliere almeno una lingua"},
		{"unsupported language", form(func(v url.Values) { v["lingue"] = []string{"it", "fr"} }),
			`{"languages":["fr"],"consent_policy":"fse-2015"}`, "Scegliere almeno una lingua"},
		{"bad counter", form(func(v url.Values) { v.Set("sportello", "Sportello 1") }),
			`{"counter":"Sportello 1","languages":["it"],"consent_policy":"fse-2015"}`, "codice dello sportello"},
		{"price too high", form(func(v url.Values) { v.Set("prezzo", "100,01") }),
			`{"languages":["it"],"consent_policy":"fse-2015","reader_price_cents":10001}`, "prezzo del lettore"},
		{"unknown capability", form(func(v url.Values) { v["capacita"] = []string{"teleport"} }),
			`{"languages":["it"],"consent_policy":"fse-2015","capabilities":["teleport"]}`, "capacità"},
		{"capability of no engine", form(func(v url.Values) { v["capacita"] = []string{"payment"} }),
			`{"languages":["it"],"consent_policy":"fse-2015","capabilities":["payment"]}`, "non è gestita"},
	}
	for _, tt := range tests {
		code, body := postBody(t, admin, e.srv.URL+"/dispositivi/kiosk-002/configurazione", tt.form)
		if code != 400 || !strings.Contains(body, tt.want) {
			t.Errorf("%s: console %d, page lacks %q", tt.name, code, tt.want)
		}
		code, body = putJSON(t, admin, e.srv.URL+"/api/v1/devices/kiosk-002/config", tok, tt.json)
		if code != 400 || !strings.Contains(body, tt.want) {
			t.Errorf("%s: API %d %s, want 400 with %q", tt.name, code, body, tt.want)
		}
	}
	if c, err := e.fleet.Config(context.Background(), "kiosk-002"); err != nil || c.Version != 0 {
		t.Errorf("config after refusals: %+v, %v; want none stored", c, err)
	}
}

// postBody posts form from the same origin and returns the status and the
// page.
func postBody(t *testing.T, c *http.Client, u string, form url.Values) (int, string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, u, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	res, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(b)
}

// TestConfigRejectedShown: a config the kiosk refused shows, on the device
// page and in the list, "rifiutata:" with the kiosk's reason (as text) and
// how long the desired config has waited.
func TestConfigRejectedShown(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	admin := e.client(t, "admin")
	if _, err := e.fleet.SetConfig(ctx, "kiosk-002", wire.Config{Languages: []string{"it"}}); err != nil {
		t.Fatal(err)
	}
	reason := `lingua <i>de</i> assente`
	if err := e.fleet.ObserveState(ctx, "kiosk-002", time.Now(), wire.State{Online: true, RejectedVersion: 1, RejectedReason: reason}); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{"/dispositivi/kiosk-002", "/dispositivi"} {
		_, body := get(t, admin, e.srv.URL+p)
		if !strings.Contains(body, "rifiutata: lingua &lt;i&gt;de&lt;/i&gt; assente") || !strings.Contains(body, "in attesa da meno di un minuto") {
			t.Errorf("%s does not show the refusal and the wait:\n%.3000s", p, body)
		}
	}
	_, body := get(t, admin, e.srv.URL+"/api/v1/devices/kiosk-002")
	if !strings.Contains(body, `"rejected_version":1`) || !strings.Contains(body, `"desired_at":`) {
		t.Errorf("API device lacks the refusal: %s", body)
	}
}

// TestChangesAudited: a config change and a command are recorded with the
// account that made them: on the device page (config history, command
// sender, status in Italian), in the API and in the console log.
func TestChangesAudited(t *testing.T) {
	e := newEnv(t)
	admin := e.client(t, "admin")
	tok := e.csrf(t, admin)
	u := e.srv.URL + "/dispositivi/kiosk-002"
	form := url.Values{"csrf": {tok}, "sportello": {"desk-7"}, "consensi": {"fse-2015"}, "lingue": {"it", "en"}, "prezzo": {"3,50"}}
	if got := post(t, admin, u+"/configurazione", form, sameOrigin); got != 303 {
		t.Fatalf("config post: %d", got)
	}
	if got := post(t, admin, u+"/comandi", url.Values{"csrf": {tok}, "comando": {"reboot"}}, sameOrigin); got != 303 {
		t.Fatalf("command post: %d", got)
	}
	_, body := get(t, admin, u)
	for _, want := range []string{
		"<td>v1</td>", "<td>admin</td><td>desk-7</td>", "<td>it, en</td><td>3.50 €</td>", // config history
		"<td>Riavvia</td>", "Inviato, in attesa di risposta", // command, in Italian, with its sender
	} {
		if !strings.Contains(body, want) {
			t.Errorf("device page lacks %q", want)
		}
	}
	if strings.Count(body, "<td>admin</td>") != 2 {
		t.Errorf("device page names admin %d times, want 2 (config, command)", strings.Count(body, "<td>admin</td>"))
	}
	_, body = get(t, admin, e.srv.URL+"/api/v1/devices/kiosk-002")
	if !strings.Contains(body, `"changed_by":"admin"`) || !strings.Contains(body, `"sent_by":"admin"`) {
		t.Errorf("API lacks the authors: %s", body)
	}
	_, body = get(t, admin, e.srv.URL+"/registro")
	if !strings.Contains(body, "kiosk-002 v1") || !strings.Contains(body, "kiosk-002 reboot") {
		t.Errorf("console log lacks the config change or the command:\n%.3000s", body)
	}
}

// TestHealthHistoryPages: the device page shows the health history 50
// entries at a time, newest first, with a link to the older ones; the API
// pages the same way.
func TestHealthHistoryPages(t *testing.T) {
	e := newEnv(t)
	admin := e.client(t, "admin")
	now := time.Now()
	for i := range 60 { // firmware 0.i, one a minute, the newest i = 0
		if _, err := e.db.SQL().Exec(`INSERT INTO device_health (dev, at, online, firmware) VALUES ('kiosk-002', $1, 1, $2)`,
			now.Add(-time.Duration(i)*time.Minute).UnixMicro(), fmt.Sprintf("0.%d", i)); err != nil {
			t.Fatal(err)
		}
	}
	_, body := get(t, admin, e.srv.URL+"/dispositivi/kiosk-002")
	if !strings.Contains(body, "<td>0.0</td>") || !strings.Contains(body, "<td>0.49</td>") || strings.Contains(body, "<td>0.50</td>") {
		t.Errorf("first page does not hold entries 0 to 49")
	}
	i := strings.Index(body, `rel="next"`)
	j := strings.LastIndex(body[:max(i, 0)], `href="`)
	if i < 0 || j < 0 {
		t.Fatalf("first page has no link to the older entries")
	}
	next := html.UnescapeString(body[j+len(`href="`) : j+strings.IndexByte(body[j+len(`href="`):], '"')+len(`href="`)])
	_, body = get(t, admin, e.srv.URL+next)
	if !strings.Contains(body, "<td>0.50</td>") || !strings.Contains(body, "<td>0.59</td>") || strings.Contains(body, "<td>0.49</td>") ||
		!strings.Contains(body, "Voci più recenti") || strings.Contains(body, `rel="next"`) {
		t.Errorf("second page (%s) does not hold entries 50 to 59 only, with a link back", next)
	}
	if code, _ := get(t, admin, e.srv.URL+"/dispositivi/kiosk-002?storico_prima=ieri"); code != 400 {
		t.Errorf("bad cursor: %d, want 400", code)
	}
	_, body = get(t, admin, e.srv.URL+"/api/v1/devices/kiosk-002")
	var page struct {
		Health []struct{ Firmware string } `json:"health"`
		Next   string                      `json:"health_next"`
	}
	if err := json.Unmarshal([]byte(body), &page); err != nil || len(page.Health) != 50 || page.Next == "" {
		t.Fatalf("API first page: %d entries, next %q, %v", len(page.Health), page.Next, err)
	}
	_, body = get(t, admin, e.srv.URL+"/api/v1/devices/kiosk-002?health_before="+page.Next)
	if err := json.Unmarshal([]byte(body), &page); err != nil || len(page.Health) != 10 || page.Next != "" || page.Health[0].Firmware != "0.50" {
		t.Errorf("API second page: %+v, %v", page, err)
	}
}

// TestDeviceListFilters: the fleet list filters by enabled state, by a
// desired config not applied and by id or name, in the page and the API,
// and shows the last contact.
func TestDeviceListFilters(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	admin := e.client(t, "admin")
	if err := e.fleet.Disable(ctx, "kiosk-002"); err != nil {
		t.Fatal(err)
	}
	if _, err := e.fleet.SetConfig(ctx, "kiosk-001", wire.Config{Languages: []string{"it"}}); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		page, api string
		want      []string
	}{
		{"", "", []string{"kiosk-001", "kiosk-002"}},
		{"stato=disattivati", "enabled=false", []string{"kiosk-002"}},
		{"stato=attivi", "enabled=true", []string{"kiosk-001"}},
		{"non_allineati=1", "out_of_sync=true", []string{"kiosk-001"}},
		{"cerca=prato", "q=prato", []string{"kiosk-002"}},
		{"cerca=kiosk-00", "q=kiosk-00", []string{"kiosk-001", "kiosk-002"}},
		{"cerca=nessuno", "q=nessuno", nil},
	}
	for _, tt := range tests {
		_, body := get(t, admin, e.srv.URL+"/dispositivi?"+tt.page)
		var api struct{ Devices []struct{ ID string } }
		_, raw := get(t, admin, e.srv.URL+"/api/v1/devices?"+tt.api)
		if err := json.Unmarshal([]byte(raw), &api); err != nil {
			t.Fatalf("%s: %v: %s", tt.api, err, raw)
		}
		var got []string
		for _, d := range api.Devices {
			got = append(got, d.ID)
		}
		if !slices.Equal(got, tt.want) {
			t.Errorf("API %s: %v, want %v", tt.api, got, tt.want)
		}
		for _, id := range []string{"kiosk-001", "kiosk-002"} {
			if listed := strings.Contains(body, `href="/dispositivi/`+id+`"`); listed != slices.Contains(tt.want, id) {
				t.Errorf("page %s: %s listed = %v", tt.page, id, listed)
			}
		}
	}
	_, body := get(t, admin, e.srv.URL+"/dispositivi")
	if !strings.Contains(body, "Ultimo contatto") || !strings.Contains(body, "<td>Disattivato</td>") {
		t.Errorf("the list lacks the last contact column or the disabled mark")
	}
	if code, _ := get(t, admin, e.srv.URL+"/api/v1/devices?enabled=forse"); code != 400 {
		t.Errorf("enabled=forse: %d, want 400", code)
	}
}
