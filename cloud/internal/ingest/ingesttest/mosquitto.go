package ingesttest

import (
	"bufio"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// CloudInstances are the certificate CNs of the cmsd instances the test
// brokers admit on every device topic (the ACL lists them by name).
var CloudInstances = []string{"cmsd-test-1", "cmsd-test-2", "cmsd-test-a", "cmsd-test-b", "cmsd-loadgen"}

// ShippedConfig returns the Mosquitto configuration and ACL the project
// ships (scripts/mosquitto/mosquitto.conf and acl), filled in for dir and
// port the way scripts/mosquitto/start.sh does, with instances as the
// cloud CNs: what ships is what is tested.
func ShippedConfig(dir string, port int, instances []string) (conf, acl string, err error) {
	root, err := RepoRoot()
	if err != nil {
		return "", "", err
	}
	c, err := os.ReadFile(filepath.Join(root, "scripts", "mosquitto", "mosquitto.conf"))
	if err != nil {
		return "", "", err
	}
	a, err := os.ReadFile(filepath.Join(root, "scripts", "mosquitto", "acl"))
	if err != nil {
		return "", "", err
	}
	conf = strings.NewReplacer("@DIR@", dir, "@PORT@", strconv.Itoa(port)).Replace(string(c))
	var blocks strings.Builder
	for _, i := range instances {
		fmt.Fprintf(&blocks, "user %s\ntopic readwrite cms/v1/dev/#\n", i)
	}
	acl = strings.Replace(string(a), "# @CLOUD_INSTANCES@\n", blocks.String(), 1)
	if acl == string(a) {
		return "", "", fmt.Errorf("%s: no @CLOUD_INSTANCES@ marker", filepath.Join(root, "scripts", "mosquitto", "acl"))
	}
	return conf, acl, nil
}

// RepoRoot walks up from the working directory to the directory holding
// go.work (the repository root).
func RepoRoot() (string, error) {
	d, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(d, "go.work")); err == nil {
			return d, nil
		}
		up := filepath.Dir(d)
		if up == d {
			return "", fmt.Errorf("ingesttest: no go.work above the working directory")
		}
		d = up
	}
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

// StartMosquitto starts a private Mosquitto with the shipped configuration
// (see ShippedConfig) and the certificates in dir (ca.pem, server.pem,
// server-key.pem, crl.pem) and returns its tls:// URL. It is stopped when
// t ends.
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

// StartMosquittoWith is StartMosquitto with extra configuration lines.
func StartMosquittoWith(t testing.TB, dir, extra string) *Mosquitto {
	t.Helper()
	port := freePort(t)
	if _, err := os.Stat(filepath.Join(dir, "crl.pem")); err != nil {
		t.Fatalf("mosquitto needs the fleet CRL: %v", err)
	}
	text, acl, err := ShippedConfig(dir, port, CloudInstances)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "acl"), []byte(acl), 0o600); err != nil {
		t.Fatal(err)
	}
	conf := filepath.Join(dir, "mosquitto.conf")
	text += extra
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
