package fleet

import "context"

type actorKey struct{}

// WithActor returns ctx carrying who makes the changes done with it (a
// console account, "cmsctl"): [Fleet.SetConfig] and [Fleet.SendCommand]
// record it.
func WithActor(ctx context.Context, who string) context.Context {
	return context.WithValue(ctx, actorKey{}, who)
}

// Actor returns who WithActor put in ctx, or "".
func Actor(ctx context.Context) string {
	who, _ := ctx.Value(actorKey{}).(string)
	return who
}
