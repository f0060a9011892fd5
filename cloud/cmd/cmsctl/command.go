package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"slices"
	"strings"

	"cnskiosk.dev/cloud/internal/store"
	"cnskiosk.dev/cloud/internal/vault"
)

// Command is one cmsctl subcommand. To add one, create a file in this
// directory with an init function calling register; nothing else changes.
//
//	func init() {
//		register(Command{Name: "devices list", Args: "", Summary: "list devices", Run: devicesList})
//	}
//
// Name is one or more words ("cards import"); Run gets the arguments after
// them and parses its own flags with e.Flags.
type Command struct {
	Name    string
	Args    string // synopsis of the arguments, for help
	Summary string
	Run     func(ctx context.Context, e *Env, args []string) error
}

var commands = map[string]Command{}

func register(c Command) {
	if _, dup := commands[c.Name]; dup {
		panic("cmsctl: command registered twice: " + c.Name) // a programming error, at init
	}
	commands[c.Name] = c
}

// Env is what commands share: global flags, standard streams, and lazily
// opened database and vault.
type Env struct {
	DB, KeyFile string
	Verbose     bool
	Stdin       io.Reader
	Stdout      io.Writer
	Stderr      io.Writer
	Log         *slog.Logger

	db *store.DB
}

// Flags returns a flag set for command name that prints to stderr.
func (e *Env) Flags(c Command) *flag.FlagSet {
	fs := flag.NewFlagSet("cmsctl "+c.Name, flag.ContinueOnError)
	fs.SetOutput(e.Stderr)
	fs.Usage = func() {
		fmt.Fprintf(e.Stderr, "usage: cmsctl %s %s\n\n%s\n", c.Name, c.Args, c.Summary)
		fs.PrintDefaults()
	}
	return fs
}

// Parse parses args with fs, turning a flag error into a usage error.
func (e *Env) Parse(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		return usageError(err)
	}
	return nil
}

// Store opens (and migrates) the database named by --db, once.
func (e *Env) Store(ctx context.Context) (*store.DB, error) {
	if e.db != nil {
		return e.db, nil
	}
	db, err := store.Open(ctx, e.DB, e.Log)
	if err != nil {
		return nil, err
	}
	e.db = db
	return db, nil
}

// NoFlagsStore parses the arguments of a command that takes no flags of
// its own, then opens the store: the start of every listing command.
func (e *Env) NoFlagsStore(ctx context.Context, name string, args []string) (*store.DB, error) {
	if err := e.Parse(e.Flags(commands[name]), args); err != nil {
		return nil, err
	}
	return e.Store(ctx)
}

// Vault loads the key file named by --key.
func (e *Env) Vault() (*vault.Vault, error) { return vault.Load(e.KeyFile) }

func (e *Env) close() {
	if e.db != nil {
		e.db.Close()
	}
}

// run is the whole CLI: global flags, then the longest matching command.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	e := &Env{Stdin: stdin, Stdout: stdout, Stderr: stderr}
	rest, err := globalFlags(e, args)
	if err != nil {
		return err
	}
	level := slog.LevelWarn
	if e.Verbose {
		level = slog.LevelInfo
	}
	e.Log = slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: level}))
	defer e.close()
	c, cargs, ok := lookup(rest)
	if !ok {
		if len(rest) > 0 && rest[0] != "help" {
			fmt.Fprintf(stderr, "cmsctl: unknown command %q\n\n", strings.Join(rest, " "))
		}
		fmt.Fprintln(stderr, "commands:")
		listCommands(stderr)
		if len(rest) > 0 && rest[0] == "help" {
			return nil
		}
		return errUsage
	}
	return c.Run(ctx, e, cargs)
}

// lookup finds the command whose name is the longest prefix of args.
func lookup(args []string) (Command, []string, bool) {
	for n := min(len(args), 3); n > 0; n-- {
		if c, ok := commands[strings.Join(args[:n], " ")]; ok {
			return c, args[n:], true
		}
	}
	return Command{}, nil, false
}

func listCommands(w io.Writer) {
	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	slices.Sort(names)
	for _, n := range names {
		c := commands[n]
		use := strings.TrimSpace(n + " " + c.Args)
		if len(use) > 28 {
			fmt.Fprintf(w, "  %s\n  %-28s %s\n", use, "", c.Summary)
			continue
		}
		fmt.Fprintf(w, "  %-28s %s\n", use, c.Summary)
	}
}

// Exit codes: 0 ok, 1 the command found a problem (invalid code, rejected
// rows, audit issues) or failed, 2 usage error.
var (
	errUsage    = errors.New("usage")
	errProblems = errors.New("problems found") // already reported on stdout/stderr
)

func usageError(err error) error {
	if errors.Is(err, flag.ErrHelp) {
		return flag.ErrHelp
	}
	return fmt.Errorf("%w: %w", errUsage, err)
}

func exitCode(err error, stderr io.Writer) int {
	switch {
	case err == nil, errors.Is(err, flag.ErrHelp):
		return 0
	case errors.Is(err, errUsage):
		return 2
	case errors.Is(err, errProblems):
		return 1
	}
	fmt.Fprintln(stderr, "cmsctl:", err)
	return 1
}

// openOutput opens path for writing (mode 0600: outputs such as a rejects
// file name citizens), or returns w for "" or "-".
func openOutput(path string, w io.Writer) (io.Writer, func() error, error) {
	if path == "" || path == "-" {
		return w, func() error { return nil }, nil
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return nil, nil, err
	}
	return f, f.Close, nil
}

// badArgs reports a wrong argument list for c and returns a usage error.
func (e *Env) badArgs(c Command, msg string) error {
	fmt.Fprintf(e.Stderr, "cmsctl %s: %s\nusage: cmsctl %s %s\n", c.Name, msg, c.Name, c.Args)
	return errUsage
}

// printJSON writes v as one line of JSON.
func printJSON(w io.Writer, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(w, "%s\n", b)
	return err
}
