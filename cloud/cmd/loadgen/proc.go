package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"cnskiosk.dev/cloud/internal/fleet"
	"cnskiosk.dev/cloud/internal/ingest/ingesttest"
	"cnskiosk.dev/cloud/internal/pki"
	"cnskiosk.dev/cloud/internal/store"
)

// proc is a child process (cmsd or Mosquitto).
type proc struct {
	cmd    *exec.Cmd
	exited chan struct{}
	err    error // exit status, once exited is closed
}

func startProc(bin string, args []string, out io.Writer) (*proc, error) {
	cmd := exec.Command(bin, args...)
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start %s: %w", bin, err)
	}
	p := &proc{cmd: cmd, exited: make(chan struct{})}
	go func() { p.err = cmd.Wait(); close(p.exited) }()
	return p, nil
}

// stop sends SIGTERM and waits at most grace, then kills.
func (p *proc) stop(grace time.Duration) {
	p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.exited:
	case <-time.After(grace):
		p.kill()
	}
}

// kill sends SIGKILL and waits for the exit.
func (p *proc) kill() {
	p.cmd.Process.Kill()
	<-p.exited
}

func freeAddr() (string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer l.Close()
	return l.Addr().String(), nil
}

// waitUntil polls ok every 50 ms until it holds, the process exits or ctx ends.
func waitUntil(ctx context.Context, p *proc, what string, ok func() bool) error {
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	for !ok() {
		select {
		case <-tick.C:
		case <-p.exited:
			return fmt.Errorf("%s: process exited: %v", what, p.err)
		case <-ctx.Done():
			return fmt.Errorf("%s: %w", what, ctx.Err())
		}
	}
	return nil
}

// cmsdProc is a cmsd child and how to start it again.
type cmsdProc struct {
	metrics      string // address of GET /metrics
	mosquittoPID int    // the Mosquitto it uses, if loadgen started one (CPU shares)
	*proc
	bin, http string
	args      []string
	out       io.Writer
}

// startCmsd starts cmsd and waits until its console answers /healthz.
func startCmsd(ctx context.Context, bin string, args []string, httpAddr string, out io.Writer) (*cmsdProc, error) {
	c := &cmsdProc{bin: bin, http: httpAddr, args: args, out: out}
	return c, c.restart(ctx)
}

func (c *cmsdProc) restart(ctx context.Context) error {
	p, err := startProc(c.bin, c.args, c.out)
	if err != nil {
		return err
	}
	c.proc = p
	return waitUntil(ctx, p, "cmsd /healthz", func() bool {
		r, err := http.Get("http://" + c.http + "/healthz")
		if err != nil {
			return false
		}
		r.Body.Close()
		return r.StatusCode == http.StatusOK
	})
}

// loadgenInstances are the cloud CNs loadgen's Mosquitto admits: the cmsd
// instance(s), the two clients of the raw baseline and the two instances
// of the two-process test.
var loadgenInstances = []string{"cmsd-loadgen", "cmsd-loadgen-2", "cmsd-loadgen-sub", "cmsd-loadgen-pub", "cmsd-a", "cmsd-b"}

// startMosquitto starts a private Mosquitto with the fleet CA, the fleet
// ACL and a server certificate, and writes cmsd's client bundle to
// dir/cloud. It returns the broker URL.
func startMosquittoFor(ctx context.Context, dir string, nodelay bool, fx *fixture, db *store.DB, out io.Writer, log *slog.Logger) (*proc, string, error) {
	ca, f := fx.ca, fleet.New(db, nil, log)
	addr, err := freeAddr()
	if err != nil {
		return nil, "", err
	}
	_, port, _ := net.SplitHostPort(addr)
	srv, err := ca.IssueServer([]string{"localhost", "127.0.0.1"}, time.Now(), 24*time.Hour)
	if err != nil {
		return nil, "", err
	}
	var portN int
	fmt.Sscan(port, &portN)
	if _, err := f.WriteCRL(ctx, ca, filepath.Join(dir, "crl.pem")); err != nil {
		return nil, "", err
	}
	conf, acl, err := ingesttest.ShippedConfig(dir, portN, loadgenInstances)
	if err != nil {
		return nil, "", err
	}
	if !nodelay {
		conf = strings.Replace(conf, "set_tcp_nodelay true\n", "", 1)
	}
	if os.Geteuid() == 0 {
		conf += "user root\n"
	}
	for name, b := range map[string][]byte{"ca.pem": ca.PEM, "server.pem": srv.CertPEM, "server-key.pem": srv.KeyPEM,
		"acl": []byte(acl), "mosquitto.conf": []byte(conf)} {
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o600); err != nil {
			return nil, "", err
		}
	}
	cl, err := f.IssueCloud(ctx, ca, "cmsd-loadgen", 24*time.Hour)
	if err != nil {
		return nil, "", err
	}
	if err := pki.WriteBundle(filepath.Join(dir, "cloud"), cl, ca.PEM); err != nil {
		return nil, "", err
	}
	bin := os.Getenv("CNS_TEST_MOSQUITTO")
	if bin == "" {
		if bin, err = exec.LookPath("mosquitto"); err != nil {
			bin = "/usr/sbin/mosquitto"
		}
	}
	p, err := startProc(bin, []string{"-c", filepath.Join(dir, "mosquitto.conf")}, out)
	if err != nil {
		return nil, "", err
	}
	err = waitUntil(ctx, p, "mosquitto", func() bool {
		c, err := net.Dial("tcp", addr)
		if err == nil {
			c.Close()
		}
		return err == nil
	})
	return p, "tls://" + addr, err
}
