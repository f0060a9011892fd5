package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"syscall"
	"time"

	"cnskiosk.dev/cloud/internal/gcfloor"
)

func main() {
	var c config
	flag.StringVar(&c.data, "data", ".run/cmsd", "data directory: SQLite database, fleet CA, vault key")
	flag.StringVar(&c.db, "db", "", "database: SQLite file or postgres:// URL (default DATA/cms.db)")
	flag.StringVar(&c.broker, "broker", "", "external broker tls://host:port (default: embedded broker)")
	flag.StringVar(&c.mqttAddr, "mqtt-listen", "127.0.0.1:8883", "listen address of the embedded broker")
	flag.StringVar(&c.httpAddr, "http", "127.0.0.1:8080", "console listen address")
	flag.StringVar(&c.tlsCert, "tls-cert", "", "PEM certificate (chain) of the console: serve HTTPS, session cookies Secure")
	flag.StringVar(&c.tlsKey, "tls-key", "", "PEM private key of --tls-cert")
	flag.DurationVar(&c.sessionIdle, "session-idle", 30*time.Minute, "a console session ends after this long without a request (and 8h after sign-in in any case)")
	flag.StringVar(&c.crl, "crl", "", "fleet CRL file re-signed at start and daily when this instance holds the fleet CA in DATA/pki (default DATA/pki/crl.pem)")
	flag.StringVar(&c.crlReloadCmd, "crl-reload-cmd", "", "command run (sh -c) after the fleet CRL is re-signed, e.g. to make an external broker reload it")
	flag.StringVar(&c.mosquittoPID, "mosquitto-pid-file", "", "PID file of Mosquitto: sent SIGHUP after the fleet CRL is re-signed")
	flag.StringVar(&c.metricsAddr, "metrics-listen", "127.0.0.1:9464", "listen address of GET /metrics (unauthenticated: keep it on loopback or a private network)")
	flag.StringVar(&c.name, "name", "", "certificate CN and MQTT client id of this instance, unique, starting with cmsd- (default cmsd-HOSTNAME)")
	flag.StringVar(&c.certDir, "cert-dir", "", "with --broker: cert.pem, key.pem, ca.pem of this instance (CN = --name)")
	flag.StringVar(&c.operatorCA, "operator-ca", "", "PEM file of the CA that issues operator cards")
	flag.StringVar(&c.operatorInter, "operator-intermediates", "", "PEM bundle of intermediate CAs between --operator-ca and the operator cards")
	flag.StringVar(&c.operatorCRL, "operator-crl", "", "CRL file (PEM or DER) of the operator CA: revoked cards are refused (read at start)")
	flag.StringVar(&c.vaultKey, "vault-key", "", "vault key file (default DATA/vault.key, created if missing)")
	flag.Var(&c.serverNames, "server-name", "extra DNS name or IP of the embedded broker's certificate (repeatable)")
	flag.StringVar(&c.workers.fseURL, "fse-url", "", "FSE service endpoint (default: in-process simulator, development only)")
	flag.StringVar(&c.workers.smtpAddr, "smtp-addr", "", "SMTP server host:port for e-mail (required unless --dev-spool)")
	flag.StringVar(&c.workers.smtpFrom, "smtp-from", "", "sender address of e-mails")
	flag.StringVar(&c.workers.smtpUser, "smtp-user", "", "SMTP user (password from CNS_SMTP_PASSWORD)")
	flag.BoolVar(&c.workers.smtpInsecure, "smtp-insecure", false, "allow SMTP without TLS (local relay only)")
	flag.StringVar(&c.workers.smsURL, "sms-url", "", "SMS gateway URL (token from CNS_SMS_TOKEN; required unless --dev-spool)")
	flag.BoolVar(&c.workers.devSpool, "dev-spool", false, "development only: write e-mails and SMS without --smtp-addr/--sms-url to DATA/outbox, second halves of PIN/PUK in clear")
	flag.DurationVar(&c.workers.poll, "worker-poll", 0, "idle scan interval of the FSE and notification workers (default 5s and 2s)")
	flag.IntVar(&c.ingestWorkers, "ingest-workers", 256, "operations applied concurrently (devices hashed to workers; the engine groups concurrent commits)")
	flag.IntVar(&c.maxBatch, "max-batch", 0, "most operations committed in one transaction (default 64)")
	flag.DurationVar(&c.gather, "gather", 0, "how long a batch waits to fill when its lane is busy (default 2ms on PostgreSQL, none on SQLite; negative: never)")
	flag.IntVar(&c.gcFloorMiB, "gc-floor", gcfloor.DefaultFloor>>20, "MiB: the garbage collector's heap goal is kept at least this (GOGC raised while the live heap is small; 0: off; GOGC in the environment wins)")
	flag.IntVar(&c.batches, "batches", 0, "batch transactions at once, one per lane of audit partitions (default 2 on PostgreSQL, 1 on SQLite)")
	flag.BoolVar(&c.ingestOnly, "ingest-only", false, "do not run the FSE and notification workers here (an extra ingest instance; another instance runs them)")
	flag.BoolVar(&c.verbose, "v", false, "debug logging")
	flag.StringVar(&c.cpuProfile, "cpuprofile", "", "write a CPU profile of the whole run to this file (performance work)")
	flag.Parse()
	level := slog.LevelInfo
	if c.verbose {
		level = slog.LevelDebug
	}
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level}))
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, c, log); err != nil {
		fmt.Fprintln(os.Stderr, "cmsd:", err)
		os.Exit(1)
	}
}
