package team

import (
	"errors"
	"testing"
	"time"
)

func TestCheckExpiry(t *testing.T) {
	today := time.Date(2026, 11, 26, 15, 30, 0, 0, time.UTC)
	rome, err := time.LoadLocation("Europe/Rome")
	if err != nil {
		t.Fatalf("time zone database: %v", err)
	}
	tests := []struct {
		name   string
		expiry time.Time
		want   error
	}{
		{"today", day(2026, 11, 26), nil},
		{"tomorrow", day(2026, 11, 27), nil},
		{"six years ahead", day(2032, 11, 26), nil},
		{"six years and a day", day(2032, 11, 27), ErrExpiryRange},
		{"far future", day(2099, 6, 22), ErrExpiryRange},
		{"yesterday", day(2026, 11, 25), ErrExpired},
		{"first plausible day", day(2000, 1, 1), ErrExpired},
		{"last century", day(1999, 5, 7), ErrExpiryRange},
		{"year one", time.Time{}, ErrExpiryRange},
		{"calendar date of its own location", time.Date(2026, 11, 26, 0, 30, 0, 0, rome), nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := CheckExpiry(tt.expiry, today)
			if !errors.Is(got, tt.want) || (got == nil) != (tt.want == nil) {
				t.Errorf("CheckExpiry(%s) = %v, want %v", tt.expiry.Format(time.DateOnly), got, tt.want)
			}
			if got != nil && Reason(got) == "" {
				t.Errorf("Reason(%v) is empty", got)
			}
		})
	}
}

func day(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }
