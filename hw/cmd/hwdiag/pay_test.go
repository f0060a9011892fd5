package main

import (
	"bytes"
	"errors"
	"flag"
	"log/slog"
	"os"
	"path/filepath"
	"testing"
	"testing/synctest"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// golden compares got with testdata/name, or rewrites it with -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("output differs from %s:\n--- got\n%s\n--- want\n%s", path, got, want)
	}
}

func TestPayWatchSim(t *testing.T) {
	tests := []struct {
		name string
		args []string
	}{
		{"pay-watch-coins.golden", []string{"pay", "watch", "-sim", "-sim-coins", "200,50,20"}},
		{"pay-watch-json.golden", []string{"pay", "watch", "-sim", "-sim-coins", "20", "-json"}},
		{"pay-watch-pos.golden", []string{"pay", "watch", "-sim", "-mode", "pos"}},
		{"pay-watch-inhibited.golden", []string{"pay", "watch", "-sim", "-sim-coins", "50", "-accept=false"}},
		{"pay-watch-pulse50.golden", []string{"pay", "watch", "-sim", "-sim-coins", "200", "-pulse-cents", "50", "-active-high"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				cfg, err := parse(tt.args, t.Output())
				if err != nil {
					t.Fatalf("parse: %v", err)
				}
				var out bytes.Buffer
				if err := run(t.Context(), cfg, &out, t.Output()); err != nil {
					t.Fatalf("run: %v", err)
				}
				golden(t, tt.name, out.Bytes())
			})
		})
	}
}

func TestParse(t *testing.T) {
	tests := []struct {
		args    []string
		want    command
		wantErr error
	}{
		{[]string{"pay", "watch"}, cmdPay, nil},
		{[]string{"print", "test", "-printer", "tcp://127.0.0.1:9100"}, cmdPrint, nil},
		{[]string{"card", "-reader", "Virtual PCD 00 00"}, cmdCard, nil},
		{[]string{}, "", errUsage},
		{[]string{"pay"}, "", errUsage},
		{[]string{"print", "x"}, "", errUsage},
		{[]string{"pay", "watch", "-mode", "cash"}, cmdPay, errUsage},
		{[]string{"pay", "watch", "extra"}, cmdPay, errUsage},
		{[]string{"pay", "watch", "-h"}, cmdPay, flag.ErrHelp},
		{[]string{"pay", "watch", "-sim-coins", "100,-5"}, cmdPay, nil},
	}
	for _, tt := range tests {
		var stderr bytes.Buffer
		got, err := parse(tt.args, &stderr)
		if tt.wantErr != nil && !errors.Is(err, tt.wantErr) {
			t.Errorf("parse(%q) err = %v, want %v", tt.args, err, tt.wantErr)
		}
		if tt.wantErr == nil && err != nil && tt.args[len(tt.args)-1] != "100,-5" {
			t.Errorf("parse(%q) err = %v", tt.args, err)
		}
		if got.cmd != tt.want {
			t.Errorf("parse(%q) cmd = %q, want %q", tt.args, got.cmd, tt.want)
		}
	}
}

func testLog(t *testing.T) *slog.Logger {
	return slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelDebug}))
}
