package main

import (
	"context"
	"fmt"
	"io"
	"strconv"

	"github.com/forgehook/forgehook/hooks"
)

// runRedeliver queues a delivery attempt again, as POST
// .../deliveries/{id}/attempts does: a new attempt with the same GUID and
// payload, sent by the running daemon.
func runRedeliver(ctx context.Context, args []string, stdout io.Writer) error {
	var f adminFlags
	fs := newFlagSet("redeliver", stdout)
	f.register(fs)
	pos, err := parseArgs(fs, args, stdout)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usagef("redeliver: usage: forgehook redeliver DELIVERY_ID (forgehook deliveries lists them)")
	}
	id, err := strconv.ParseInt(pos[0], 10, 64)
	if err != nil || id <= 0 {
		return usagef("redeliver: delivery ID %q is not a number (forgehook deliveries lists them)", pos[0])
	}
	a, err := f.open()
	if err != nil {
		return err
	}
	defer a.Close()
	found, err := a.db.SearchDeliveries(ctx, hooks.DeliveryFilter{ID: id})
	if err != nil {
		return err
	}
	if len(found) == 0 {
		return fmt.Errorf("no delivery %d: forgehook deliveries lists them", id)
	}
	d := found[0]
	h, err := a.db.FindHookByID(ctx, d.HookID)
	if err != nil {
		return err
	}
	if err := a.do.Redeliver(ctx, d.HookID, d.ID); err != nil {
		return notFound(err, "no delivery %d: forgehook deliveries lists them", id)
	}
	return a.printQueued(stdout, "redelivery of delivery "+pos[0], h, d.GUID)
}
