package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(exitCode(err, os.Stderr))
}

// globalFlags parses the flags before the command name into e.
func globalFlags(e *Env, args []string) ([]string, error) {
	fs := flag.NewFlagSet("cmsctl", flag.ContinueOnError)
	fs.SetOutput(e.Stderr)
	fs.StringVar(&e.DB, "db", envOr("CNS_DB", "cms.db"), "database: a SQLite file path or a postgres:// URL (env CNS_DB)")
	fs.StringVar(&e.KeyFile, "key", envOr("CNS_VAULT_KEY", "cms.key"), "vault key file, mode 0600 (env CNS_VAULT_KEY)")
	fs.BoolVar(&e.Verbose, "v", false, "log progress details to stderr")
	fs.Usage = func() { usage(e.Stderr, fs) }
	if err := fs.Parse(args); err != nil {
		return nil, usageError(err)
	}
	return fs.Args(), nil
}

func envOr(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}

func usage(w io.Writer, fs *flag.FlagSet) {
	fmt.Fprintln(w, "usage: cmsctl [global flags] <command> [flags] [args]")
	fmt.Fprintln(w, "\nglobal flags:")
	fs.PrintDefaults()
	fmt.Fprintln(w, "\ncommands:")
	listCommands(w)
	fmt.Fprintln(w, "\n`cmsctl <command> -h` shows a command's flags.")
}
