package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/google/go-github/v60/github"
)

// runReceive is a small webhook receiver for debugging hooks: it verifies
// each delivery's signature with go-github and prints one line per event.
func runReceive(ctx context.Context, args []string, stdout io.Writer) error {
	var listen, secret string
	fs := newFlagSet("receive", stdout)
	fs.StringVar(&listen, "listen", "127.0.0.1:9090", "`address` to listen on")
	fs.StringVar(&secret, "secret", "", "the hooks' `secret`; deliveries whose signature does not verify are rejected")
	if err := fs.Parse(args); err != nil {
		return err
	}
	ln, err := net.Listen("tcp", listen)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "receiving on http://%s/\n", ln.Addr())
	srv := &http.Server{Handler: receiver(secret, stdout), ReadHeaderTimeout: 10 * time.Second, ReadTimeout: time.Minute}
	go func() {
		<-ctx.Done()
		sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(sctx)
	}()
	if err := srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// receiver verifies, parses and prints deliveries.
func receiver(secret string, out io.Writer) http.Handler {
	var mu sync.Mutex
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r.Body = http.MaxBytesReader(w, r.Body, 26<<20)
		event, guid := github.WebHookType(r), github.DeliveryID(r)
		payload, err := github.ValidatePayload(r, []byte(secret))
		mu.Lock()
		defer mu.Unlock()
		if err != nil {
			fmt.Fprintf(out, "REJECTED %s %s: %v\n", event, guid, err)
			http.Error(w, "signature does not verify", http.StatusUnauthorized)
			return
		}
		verified := "unsigned"
		if secret != "" {
			verified = "signature verified"
		}
		parsed, err := github.ParseWebHook(event, payload)
		if err != nil {
			fmt.Fprintf(out, "UNPARSED %s %s: %v\n", event, guid, err)
			http.Error(w, "cannot parse payload", http.StatusBadRequest)
			return
		}
		fmt.Fprintf(out, "%s %s (%s)\n", describe(event, parsed), guid, verified)
		w.WriteHeader(http.StatusNoContent)
	})
}

// describe summarizes a parsed event in one line.
func describe(event string, v any) string {
	switch e := v.(type) {
	case *github.PushEvent:
		head := ""
		if e.HeadCommit != nil {
			head = fmt.Sprintf(", head %.7s %q", e.HeadCommit.GetID(), firstLine(e.HeadCommit.GetMessage()))
		}
		return fmt.Sprintf("push %s to %s by %s: %.7s..%.7s, %d commits%s", e.GetRef(), e.GetRepo().GetFullName(),
			e.GetPusher().GetName(), e.GetBefore(), e.GetAfter(), len(e.Commits), head)
	case *github.PingEvent:
		return fmt.Sprintf("ping hook %d: %q", e.GetHookID(), e.GetZen())
	case *github.CreateEvent:
		return fmt.Sprintf("create %s %s in %s", e.GetRefType(), e.GetRef(), e.GetRepo().GetFullName())
	case *github.DeleteEvent:
		return fmt.Sprintf("delete %s %s in %s", e.GetRefType(), e.GetRef(), e.GetRepo().GetFullName())
	}
	return event
}

func firstLine(s string) string {
	for i, c := range s {
		if c == '\n' {
			return s[:i]
		}
	}
	return s
}
