package main

import (
	"context"
	"fmt"

	"cnskiosk.dev/cloud/internal/audit"
)

func init() {
	register(Command{Name: "audit verify", Args: "[-json]", Run: auditVerify,
		Summary: "check the audit hash chains; list changed, removed, reordered records; exit 1 if any"})
}

func auditVerify(ctx context.Context, e *Env, args []string) error {
	fs := e.Flags(commands["audit verify"])
	asJSON := fs.Bool("json", false, "print the report as JSON")
	if err := e.Parse(fs, args); err != nil {
		return err
	}
	db, err := e.Store(ctx)
	if err != nil {
		return err
	}
	rep, err := audit.Verify(ctx, db.SQL(), db.Dialect())
	if err != nil {
		return err
	}
	if *asJSON {
		if err := printJSON(e.Stdout, rep); err != nil {
			return err
		}
	} else {
		fmt.Fprintf(e.Stdout, "audit: %d records in %d partitions, %d issues\n", rep.Records, rep.Partitions, len(rep.Issues))
		for _, is := range rep.Issues {
			fmt.Fprintf(e.Stdout, "%s partition %d seq %d id %s: %s\n", is.Kind, is.Partition, is.Seq, is.ID, is.Detail)
		}
	}
	if !rep.OK() {
		return errProblems
	}
	return nil
}
