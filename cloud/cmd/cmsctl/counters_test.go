package main

import (
	"strings"
	"testing"

	"cnskiosk.dev/cloud/internal/store/storetest"
)

func TestCounters(t *testing.T) {
	for _, d := range storetest.Dialects() {
		t.Run(string(d), func(t *testing.T) {
			c := newCLI(t, d)
			for _, a := range []struct {
				name string
				args []string
				code int
			}{
				{"new with caps", []string{"-name", "ASL Firenze CUP 1", "-caps", "reissue", "asl-fi-1"}, 0},
				{"new plain", []string{"kiosk-01"}, 0},
				{"rename keeps caps", []string{"-name", "ASL Firenze sportello 1", "asl-fi-1"}, 0},
				{"caps off keeps name", []string{"-caps", "", "kiosk-01"}, 0},
				{"unknown capability", []string{"-caps", "reissue,teleport", "asl-fi-2"}, 2},
				{"no id", []string{"-name", "x"}, 2},
			} {
				if r := c.run("", append([]string{"counters", "set"}, a.args...)...); r.code != a.code {
					t.Errorf("%s: exit %d, want %d", a.name, r.code, a.code)
				}
			}
			got := c.run("", "counters", "list").out
			want := []string{
				"asl-fi-1                 ASL Firenze sportello 1          caps=reissue",
				"kiosk-01                                                  caps=-",
			}
			if got != strings.Join(want, "\n")+"\n" {
				t.Errorf("list:\n%s\nwant:\n%s", got, strings.Join(want, "\n"))
			}
		})
	}
}
