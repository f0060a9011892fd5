package rules

import (
	"fmt"
	"net/mail"
	"strings"

	"cnskiosk.dev/shared/wire"
)

// CheckContact validates the address of a delivery: an e-mail address for
// channel email, an Italian mobile number or an E.164 number for sms.
func CheckContact(d wire.Delivery) error {
	switch d.Channel {
	case wire.DeliveryEmail:
		return checkEmail(d.Address)
	case wire.DeliverySMS:
		return checkPhone(d.Address)
	}
	return fmt.Errorf("%w: channel %q", ErrContact, d.Channel)
}

func checkEmail(s string) error {
	a, err := mail.ParseAddress(s)
	if err != nil || a.Address != s || a.Name != "" {
		return fmt.Errorf("%w: e-mail syntax", ErrContact)
	}
	at := strings.LastIndexByte(s, '@')
	domain := s[at+1:]
	if !strings.Contains(domain, ".") || strings.HasPrefix(domain, ".") || strings.HasSuffix(domain, ".") ||
		strings.ContainsAny(s, " \t\r\n<>") {
		return fmt.Errorf("%w: e-mail domain", ErrContact)
	}
	return nil
}

// checkPhone accepts an Italian mobile (3xx, 9-10 digits, with or without
// +39 / 0039) or any E.164 number (+ and 8-15 digits). Spaces, dots and
// dashes between digits are ignored.
func checkPhone(s string) error {
	n := strings.NewReplacer(" ", "", "-", "", ".", "").Replace(s)
	if rest, ok := strings.CutPrefix(n, "0039"); ok {
		n = "+39" + rest
	}
	if strings.HasPrefix(n, "+") {
		if len(n) >= 9 && len(n) <= 16 && n[1] != '0' && allDigits(n[1:]) {
			if rest, ok := strings.CutPrefix(n, "+39"); ok {
				return italianMobile(rest)
			}
			return nil
		}
		return fmt.Errorf("%w: E.164 number", ErrContact)
	}
	return italianMobile(n)
}

func italianMobile(n string) error {
	if allDigits(n) && strings.HasPrefix(n, "3") && len(n) >= 9 && len(n) <= 10 {
		return nil
	}
	return fmt.Errorf("%w: Italian mobile number", ErrContact)
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}
