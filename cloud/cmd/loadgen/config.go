package main

import (
	"errors"
	"fmt"
	"os"
	"strings"
	"time"
)

// config is one load run.
type config struct {
	cmsd, mode, db, dir, pgAdmin string
	client                       string // MQTT client of the simulated kiosks: lean or paho
	cpuProfile                   string
	timeline                     string // file of ack latency per 250 ms of the load, by publish time
	cmsdArgs                     args
	kiosks, ops, idle, raw       int
	rate                         float64
	timeout, killAfter, stall    time.Duration
	verbose, nagle               bool
}

// args is a repeatable flag.
type args []string

func (a *args) String() string     { return strings.Join(*a, " ") }
func (a *args) Set(s string) error { *a = append(*a, s); return nil }

func (c config) check() error {
	var errs []error
	if c.mode != "embedded" && c.mode != "mosquitto" {
		errs = append(errs, fmt.Errorf("-mode %q: want embedded or mosquitto", c.mode))
	}
	if c.client != clientLean && c.client != clientPaho {
		errs = append(errs, fmt.Errorf("-client %q: want lean or paho", c.client))
	}
	if c.kiosks < 1 || c.ops < 1 || c.kiosks*c.ops > 1_000_000 {
		errs = append(errs, errors.New("-kiosks and -ops must be >= 1 and their product <= 1,000,000"))
	}
	if c.idle < 0 || c.idle > 20000 || c.raw < 0 || c.raw > 1_000_000 {
		errs = append(errs, errors.New("-idle <= 20000 and -raw <= 1,000,000"))
	}
	return errors.Join(errs...)
}

// pgURL is the PostgreSQL superuser URL of the test environment.
func pgURL() string {
	if u := os.Getenv("CNS_TEST_PG_URL"); u != "" {
		return u
	}
	return "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"
}
