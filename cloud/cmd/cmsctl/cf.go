package main

import (
	"context"
	"fmt"
	"time"

	"cnskiosk.dev/shared/cf"
)

func init() {
	register(Command{Name: "cf check", Args: "CF...", Run: cfCheck,
		Summary: "check codici fiscali: one line each, valid or invalid with the reason; exit 1 if any is invalid"})
	register(Command{Name: "cf decode", Args: "CF", Run: cfDecode,
		Summary: "print what a codice fiscale says (birth date, sex, place) as JSON"})
}

func cfCheck(ctx context.Context, e *Env, args []string) error {
	c := commands["cf check"]
	fs := e.Flags(c)
	if err := e.Parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() == 0 {
		return e.badArgs(c, "no codice fiscale given")
	}
	bad := 0
	for _, code := range fs.Args() {
		if err := cf.Validate(code); err != nil {
			bad++
			fmt.Fprintf(e.Stdout, "%s invalid: %v\n", code, err)
			continue
		}
		fmt.Fprintf(e.Stdout, "%s valid\n", code)
	}
	if bad > 0 {
		return errProblems
	}
	return nil
}

type cfPlace struct {
	Code     string `json:"code"`
	Name     string `json:"name"`
	Province string `json:"province"`
	Foreign  bool   `json:"foreign"`
}

type cfInfo struct {
	Code      string  `json:"code"`
	Base      string  `json:"base"`
	Omocode   bool    `json:"omocode"`
	BirthDate string  `json:"birth_date"`
	Sex       string  `json:"sex"`
	Place     cfPlace `json:"place"`
}

func cfDecode(ctx context.Context, e *Env, args []string) error {
	c := commands["cf decode"]
	fs := e.Flags(c)
	if err := e.Parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return e.badArgs(c, "give exactly one codice fiscale")
	}
	info, err := cf.Decode(fs.Arg(0), time.Now())
	if err != nil {
		fmt.Fprintf(e.Stdout, "%s invalid: %v\n", fs.Arg(0), err)
		return errProblems
	}
	p := info.Place
	return printJSON(e.Stdout, cfInfo{Code: info.Code, Base: info.Base, Omocode: info.Omocode,
		BirthDate: info.BirthDate.Format(time.DateOnly), Sex: info.Sex,
		Place: cfPlace{Code: p.Code, Name: p.Name, Province: p.Province, Foreign: p.Foreign}})
}
