package ingesttest

import (
	"bufio"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// ACL is the Mosquitto ACL of the fleet: %u is the CN of the client
// certificate (use_identity_as_username). Cloud instances all carry the
// CN "cmsd" (their client ids differ). scripts/mosquitto/acl holds the same.
const ACL = `# Cloud instances (certificate CN "cmsd"): every device topic, shared subscriptions.
user cmsd
topic readwrite cms/v1/dev/#

# Devices: their own topics only.
pattern write cms/v1/dev/%u/ops
pattern write cms/v1/dev/%u/rpc/req
pattern write cms/v1/dev/%u/state
pattern write cms/v1/dev/%u/cmd/res
pattern read cms/v1/dev/%u/ack
pattern read cms/v1/dev/%u/rpc/res
pattern read cms/v1/dev/%u/config
pattern read cms/v1/dev/%u/cmd
`

// MosquittoConf returns a Mosquitto 2 configuration: one mTLS listener on
// port, certificates and ACL in dir (ca.pem, server.pem, server-key.pem, acl).
func MosquittoConf(dir string, port int) string {
	return fmt.Sprintf(`# Generated for the CNS kiosk fleet.
per_listener_settings false
allow_anonymous false
persistence false
max_inflight_messages 0
max_queued_messages 100000
set_tcp_nodelay true
log_dest stderr
log_type error
log_type warning
log_type notice
log_type information
listener %d 127.0.0.1
cafile %s
certfile %s
keyfile %s
require_certificate true
use_identity_as_username true
tls_version tlsv1.2
acl_file %s
`, port, filepath.Join(dir, "ca.pem"), filepath.Join(dir, "server.pem"),
		filepath.Join(dir, "server-key.pem"), filepath.Join(dir, "acl"))
}

// MosquittoBinary returns $CNS_TEST_MOSQUITTO, else mosquitto from PATH.
func MosquittoBinary(t testing.TB) string {
	if p := os.Getenv("CNS_TEST_MOSQUITTO"); p != "" {
		return p
	}
	for _, p := range []string{"mosquitto", "/usr/sbin/mosquitto"} {
		if q, err := exec.LookPath(p); err == nil {
			return q
		}
	}
	t.Fatal("mosquitto not found: set CNS_TEST_MOSQUITTO or run scripts/setup.sh")
	return ""
}

// StartMosquitto starts a private Mosquitto with the certificates in dir
// (see MosquittoConf) and returns its tls:// URL. It is stopped when t ends.
func StartMosquitto(t testing.TB, dir string) string {
	t.Helper()
	return StartMosquittoWith(t, dir, "").URL
}

// Mosquitto is a running private broker.
type Mosquitto struct {
	URL      string
	cmd      *exec.Cmd
	reloaded chan struct{}
}

// Reload sends SIGHUP (Mosquitto reads its configuration, certificates
// and CRL again) and waits until the broker logs that it reloaded.
func (m *Mosquitto) Reload(t testing.TB) {
	t.Helper()
	if err := m.cmd.Process.Signal(syscall.SIGHUP); err != nil {
		t.Fatal(err)
	}
	select {
	case <-m.reloaded:
	case <-time.After(10 * time.Second):
		t.Fatal("mosquitto did not log a reload within 10s")
	}
}

// StartMosquittoWith is StartMosquitto with extra configuration lines
// (for example "crlfile DIR/crl.pem").
func StartMosquittoWith(t testing.TB, dir, extra string) *Mosquitto {
	t.Helper()
	port := freePort(t)
	if err := os.WriteFile(filepath.Join(dir, "acl"), []byte(ACL), 0o600); err != nil {
		t.Fatal(err)
	}
	conf := filepath.Join(dir, "mosquitto.conf")
	text := MosquittoConf(dir, port) + extra
	if os.Geteuid() == 0 {
		text += "user root\n" // keep access to the private files of dir
	}
	if err := os.WriteFile(conf, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	m := &Mosquitto{URL: fmt.Sprintf("tls://127.0.0.1:%d", port), reloaded: make(chan struct{}, 8),
		cmd: exec.Command(MosquittoBinary(t), "-c", conf)}
	stderr, err := m.cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := m.cmd.Start(); err != nil {
		t.Fatalf("mosquitto: %v", err)
	}
	ready, done := make(chan bool, 2), make(chan struct{})
	t.Cleanup(func() { m.cmd.Process.Kill(); <-done; m.cmd.Wait() })
	go func() {
		defer close(done)
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			line := sc.Text()
			t.Log("mosquitto:", line)
			switch {
			case strings.Contains(line, "running"):
				ready <- true
			case strings.Contains(line, "Reloading config"):
				m.reloaded <- struct{}{}
			}
		}
		ready <- false
	}()
	select {
	case ok := <-ready:
		if !ok {
			t.Fatal("mosquitto exited before it was running")
		}
	case <-time.After(20 * time.Second):
		t.Fatal("mosquitto did not start within 20s")
	}
	return m
}

func freePort(t testing.TB) int {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}
