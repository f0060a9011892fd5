package notify_test

import (
	"bufio"
	"bytes"
	"database/sql"
	"log/slog"
	"net"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"

	"cnskiosk.dev/cloud/internal/notify"
	"cnskiosk.dev/cloud/internal/notify/smssim"
	"cnskiosk.dev/cloud/internal/store"
	"cnskiosk.dev/cloud/internal/vault"
)

// logBuf captures every log line (without timestamps) so a test can grep it.
type logBuf struct {
	mu sync.Mutex
	b  bytes.Buffer
	t  *testing.T
}

func (l *logBuf) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.t.Log(string(bytes.TrimRight(p, "\n")))
	return l.b.Write(p)
}

func (l *logBuf) String() string { l.mu.Lock(); defer l.mu.Unlock(); return l.b.String() }

func newLogger(t *testing.T) (*slog.Logger, *logBuf) {
	lb := &logBuf{t: t}
	h := slog.NewTextHandler(lb, &slog.HandlerOptions{Level: slog.LevelDebug, ReplaceAttr: func(_ []string, a slog.Attr) slog.Attr {
		if a.Key == slog.TimeKey {
			return slog.Attr{}
		}
		return a
	}})
	return slog.New(h), lb
}

func newVault(t testing.TB) *vault.Vault {
	t.Helper()
	f := filepath.Join(t.TempDir(), "vault.key")
	if err := vault.Generate(f); err != nil {
		t.Fatal(err)
	}
	v, err := vault.Load(f)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// addCard stores a card with its sealed secrets.
func addCard(t testing.TB, db *store.DB, v *vault.Vault, team string, s vault.Secrets) {
	t.Helper()
	sealed, err := v.Seal(team, s)
	if err != nil {
		t.Fatal(err)
	}
	_, err = db.SQL().Exec(`INSERT INTO cards (team, cf, expiry, surname, name, birth_date, state, updated_at)
		VALUES ($1, 'RSSMRA80A01H501U', '2030-01-01', 'ROSSI', 'MARIO', '1980-01-01', 'active', 0)`, team)
	if err == nil {
		_, err = db.SQL().Exec(`INSERT INTO card_secrets (team, key_id, nonce, sealed) VALUES ($1, $2, $3, $4)`,
			team, sealed.KeyID, sealed.Nonce, sealed.Ciphertext)
	}
	if err != nil {
		t.Fatal(err)
	}
}

func addNotification(t testing.TB, db *store.DB, id, kind, team, channel, addr string) {
	t.Helper()
	_, err := db.SQL().Exec(`INSERT INTO notifications (id, kind, card_team, channel, address, status, next_at, op_id, created_at)
		VALUES ($1, $2, $3, $4, $5, 'pending', 0, $6, 0)`, id, kind, team, channel, addr, "op-"+id)
	if err != nil {
		t.Fatal(err)
	}
}

func notifStatus(t *testing.T, db *sql.DB, id string) (status string, attempts int) {
	t.Helper()
	if err := db.QueryRow(`SELECT status, attempts FROM notifications WHERE id = $1`, id).Scan(&status, &attempts); err != nil {
		t.Fatal(err)
	}
	return status, attempts
}

func smsGateway(t testing.TB) (*smssim.Gateway, notify.SMSGateway) {
	g := smssim.New()
	srv := httptest.NewServer(g)
	t.Cleanup(srv.Close)
	return g, notify.SMSGateway{URL: srv.URL}
}

// startSMTP starts a real SMTP server (aiosmtpd) and returns its address
// and the directory where it writes the messages it accepts; opts are
// those of testdata/smtpsink.py (--tls CERT KEY, --auth USER:PW).
func startSMTP(t *testing.T, opts ...string) (addr, dir string) {
	t.Helper()
	py := os.Getenv("CNS_TEST_PYTHON")
	if py == "" {
		py = "python3"
	}
	if _, err := exec.LookPath(py); err != nil {
		t.Fatalf("python3 with aiosmtpd is needed (set CNS_TEST_PYTHON, run `make setup`): %v", err)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	dir = t.TempDir()
	cmd := exec.Command(py, append([]string{"testdata/smtpsink.py", strconv.Itoa(port), dir}, opts...)...)
	stdin, _ := cmd.StdinPipe()
	stdout, _ := cmd.StdoutPipe()
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatalf("start aiosmtpd: %v", err)
	}
	t.Cleanup(func() { stdin.Close(); _ = cmd.Wait() })
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil || line != "ready\n" {
		t.Fatalf("aiosmtpd did not start (is python3-aiosmtpd installed?): %q %v", line, err)
	}
	return "127.0.0.1:" + strconv.Itoa(port), dir
}

// readMails returns the messages the SMTP sink wrote. No waiting is
// needed: the sink renames the file before it answers 250, and Send
// returns only after that answer.
func readMails(t *testing.T, dir string) []string {
	t.Helper()
	files, _ := filepath.Glob(filepath.Join(dir, "*.eml"))
	var out []string
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, string(b))
	}
	return out
}

// clock is an injected clock.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time      { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Add(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }
