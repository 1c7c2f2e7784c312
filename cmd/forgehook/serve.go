package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/forgehook/forgehook/api"
	"github.com/forgehook/forgehook/egress"
	"github.com/forgehook/forgehook/git"
	"github.com/forgehook/forgehook/hooks"
	"github.com/forgehook/forgehook/internal/wake"
	"github.com/forgehook/forgehook/metrics"
	"github.com/forgehook/forgehook/pshb"
	"github.com/forgehook/forgehook/store/sqlite"
	"github.com/forgehook/forgehook/web"
)

// serveConfig is the daemon's configuration.
type serveConfig struct {
	common
	SecretKeyFile string
	urlFlags
	Listen           string
	RetrySchedule    []time.Duration
	DeliveryTimeout  time.Duration
	AllowedHosts     *egress.Policy
	Concurrency      int
	HookConcurrency  int
	Retention        time.Duration
	MaxPushAge       time.Duration // /healthz fails when the oldest unhandled push is older
	MaxTagsPerPush   int
	MaxHooksPerEvent int
	Breaker          hooks.Breaker // endpoint health: the circuit breaker and when a hook is disabled
	Node             string        // PostgreSQL: the git server whose repositories this daemon reads
	DaemonTimeout    time.Duration // PostgreSQL: a daemon silent this long is dead

	// PrintConfig asks for the effective settings instead of a daemon.
	PrintConfig   bool
	settings      *settings
	Log           logConfig
	MetricsListen string // serves /metrics without authentication; "" for none
}

const serveUsage = `Usage: forgehook serve [flags]

Every flag is also read from the environment variable FORGEHOOK_ and its
name in capitals with underscores (FORGEHOOK_RETRY_SCHEDULE), and from the
TOML file --config names, whose keys are the flags' names (retry-schedule =
"10s,1m"). The command line wins over the environment, the environment over
the file, the file over the default. --print-config shows the result.

Flags:
`

func parseServe(args []string, out io.Writer) (*serveConfig, error) {
	c := &serveConfig{}
	var retry, allowed, configFile string
	fs := newFlagSet("serve", out)
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), serveUsage)
		fs.PrintDefaults()
	}
	c.common.register(fs)
	c.urlFlags.register(fs)
	registerKeyFile(fs, &c.SecretKeyFile)
	fs.StringVar(&configFile, configFlag, "", "TOML `file` of settings, keys named as these flags (env FORGEHOOK_CONFIG)")
	fs.BoolVar(&c.PrintConfig, "print-config", false, "print the effective settings as TOML, secrets redacted, and exit")
	fs.StringVar(&c.Listen, "listen", defaultListen, "`address` to serve the API and hub on")
	fs.StringVar(&retry, "retry-schedule", "10s,1m,5m,30m,2h,6h,12h", "`waits` before each automatic retry of a failed delivery, comma-separated")
	fs.DurationVar(&c.DeliveryTimeout, "delivery-timeout", hooks.DefaultTimeout, "timeout of one delivery attempt")
	fs.StringVar(&allowed, "allowed-hosts", egress.DefaultPolicy, "where hooks may deliver: host names, *.domain, IPs, CIDRs, loopback, private, external, *")
	fs.IntVar(&c.Concurrency, "concurrency", 64, "deliveries in flight at once")
	fs.IntVar(&c.HookConcurrency, "hook-concurrency", 1, "deliveries in flight per hook (1 keeps each hook's deliveries in push order)")
	fs.IntVar(&c.MaxTagsPerPush, "max-tags-per-push", 3, "a push of more tags than this makes no events for its tags, as on GitHub; 0 for no limit")
	fs.DurationVar(&c.MaxPushAge, "max-push-age", 5*time.Minute, "/healthz answers 503 when the oldest push not yet turned into events is older than this; 0 turns the check off")
	fs.IntVar(&c.MaxHooksPerEvent, "max-hooks-per-event", sqlite.DefaultMaxHooksPerEvent, "hooks of one repository or organization that may subscribe to one event (GitHub's limit is 20)")
	fs.IntVar(&c.Breaker.Failures, "breaker-failures", 5, "failed deliveries in a row after which a hook's deliveries wait (its circuit breaker opens, then lets one delivery probe); 0 turns the breaker off")
	fs.DurationVar(&c.Breaker.Open, "breaker-open", time.Minute, "how long an opened breaker first makes deliveries wait; it doubles each time the probe fails")
	fs.DurationVar(&c.Breaker.MaxOpen, "breaker-max-open", time.Hour, "the longest an opened breaker makes deliveries wait")
	fs.DurationVar(&c.Breaker.DisableAfter, "disable-after", 24*time.Hour, "a hook whose deliveries all failed for this long is disabled (active false); 0 for never")
	fs.IntVar(&c.Breaker.DisableFailures, "disable-failures", 0, "a hook whose last this many deliveries failed is disabled; 0 for never (a 410 Gone answer always disables)")
	registerNode(fs, &c.Node, "whose repositories this daemon reads: it builds the events of the pushes recorded with that --node (any daemon delivers)")
	fs.DurationVar(&c.DaemonTimeout, "daemon-timeout", 30*time.Second, "PostgreSQL: a daemon that has not reported for this long is dead, and the others free its leases; each reports every fifth of it")
	c.Log.register(fs)
	fs.StringVar(&c.MetricsListen, "metrics-listen", "", "`address` to serve /metrics on without authentication, for Prometheus; /metrics on --listen always needs an admin token")
	fs.DurationVar(&c.Retention, "retention", 30*24*time.Hour, "how long delivery history is kept (and can be redelivered)")
	var err error
	if c.settings, err = parseSettings(fs, args, "print-config"); err != nil {
		return nil, err
	}
	if fs.NArg() > 0 {
		return nil, fmt.Errorf("serve: unexpected argument %q", fs.Arg(0))
	}
	if c.RetrySchedule, err = hooks.ParseRetrySchedule(retry); err != nil {
		return nil, err
	}
	if c.AllowedHosts, err = egress.ParsePolicy(allowed); err != nil {
		return nil, err
	}
	if err := validateCloneURLs(c.Clone); err != nil {
		return nil, err
	}
	if c.DeliveryTimeout <= 0 || c.DeliveryTimeout > 5*time.Minute {
		return nil, errors.New("serve: --delivery-timeout must be between 0 and 5m")
	}
	if c.Retention < time.Hour {
		return nil, errors.New("serve: --retention must be at least 1h")
	}
	if c.DaemonTimeout < time.Second {
		return nil, errors.New("serve: --daemon-timeout must be at least 1s")
	}
	if c.MaxHooksPerEvent < 1 {
		return nil, errors.New("serve: --max-hooks-per-event must be 1 or more")
	}
	if c.MaxTagsPerPush < 0 {
		return nil, errors.New("serve: --max-tags-per-push must be 0 (no limit) or more")
	}
	if b := c.Breaker; b.Failures < 0 || b.DisableFailures < 0 || b.Open <= 0 || b.MaxOpen < b.Open || b.DisableAfter < 0 {
		return nil, errors.New("serve: need --breaker-failures and --disable-failures >= 0, 0 < --breaker-open <= --breaker-max-open, --disable-after >= 0")
	}
	if c.Concurrency < 1 || c.HookConcurrency < 1 || c.HookConcurrency > c.Concurrency {
		return nil, errors.New("serve: need 1 <= --hook-concurrency <= --concurrency")
	}
	if err := c.absolute(); err != nil {
		return nil, err
	}
	if c.SecretKeyFile, err = keyFilePath(c.SecretKeyFile, c.DB); err != nil {
		return nil, err
	}
	if c.SecretKeyFile == "" {
		return nil, errors.New("serve: pass --secret-key-file (or FORGEHOOK_SECRET_KEY_FILE) with a PostgreSQL --db: every daemon sharing the database needs a copy of the same key file")
	}
	if fi, err := os.Stat(c.Repos); err != nil || !fi.IsDir() {
		return nil, fmt.Errorf("serve: --repos %s is not a directory: pass the root of your bare repositories (or set FORGEHOOK_REPOS)", c.Repos)
	}
	return c, nil
}

// validateCloneURLs checks the --clone-url and --ssh-url templates; the
// clone URL must also be an absolute URL.
func validateCloneURLs(c hooks.CloneURLs) error {
	for _, t := range []struct{ flag, template string }{{"--clone-url", c.HTTP}, {"--ssh-url", c.SSH}} {
		if t.template == "" {
			continue
		}
		if err := hooks.ValidateCloneTemplate(t.template); err != nil {
			return fmt.Errorf("serve: %s %q: %w", t.flag, t.template, err)
		}
	}
	if c.HTTP != "" {
		u, err := url.Parse(strings.NewReplacer("{owner}", "o", "{repo}", "r").Replace(c.HTTP))
		if err != nil || u.Scheme == "" || u.Host == "" {
			return fmt.Errorf("serve: --clone-url %q: not an absolute URL such as https://git.example.com/{owner}/{repo}.git", c.HTTP)
		}
	}
	return nil
}

// runServe runs the daemon until ctx is cancelled.
func runServe(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	c, err := parseServe(args, stderr)
	if err != nil {
		return err
	}
	if c.PrintConfig {
		return printConfig(stdout, c.settings)
	}
	m := &Main{Config: c, Logger: c.Log.logger(stderr)}
	if err := m.Open(ctx); err != nil {
		return err
	}
	<-ctx.Done()
	return m.Close()
}

// Main is the running daemon: storage, the two workers and the HTTP server.
type Main struct {
	Config *serveConfig
	Logger *slog.Logger

	db       *storage
	reader   *git.Reader
	ln       net.Listener
	server   *http.Server
	metrics  *metricsServer // nil without --metrics-listen
	live     *liveness      // PostgreSQL only
	wake     *wake.Listener
	cancel   context.CancelFunc
	wg       sync.WaitGroup
	serveErr chan error
}

// Open starts the daemon: it opens the database and its secret key file
// (sealing plain-text secrets, see unlockSecrets), frees the leases a previous
// process left (on PostgreSQL: those of daemons known dead, see liveness),
// starts the workers and listens.
func (m *Main) Open(ctx context.Context) error {
	c := m.Config
	db, err := openDB(ctx, c.DB, true)
	if err != nil {
		return err
	}
	m.db = db
	if _, n, err := unlockSecrets(ctx, db, c.SecretKeyFile); err != nil {
		return err
	} else if n > 0 {
		m.Logger.Info("sealed plain-text hook secrets", "count", n, "key_file", c.SecretKeyFile)
	}
	boot := hooks.NewGUID()
	if db.PG != nil {
		db.PG.MaxHooksPerEvent = c.MaxHooksPerEvent
		c.Node = nodeName(c.Node)
		db.PG.Node = c.Node
		// Several daemons: free only the leases of those known dead.
		m.live = &liveness{daemons: db.PG, owner: boot, node: db.PG.Node, timeout: c.DaemonTimeout, logger: m.Logger}
		if err := m.live.start(ctx); err != nil {
			return err
		}
	} else {
		db.SQLite.MaxHooksPerEvent = c.MaxHooksPerEvent
		// The only daemon of the file: every lease is a previous process's.
		if n, err := db.RecoverLeases(ctx, boot); err != nil {
			return err // store says "recover leases: ..." and explains a permission problem
		} else if n > 0 {
			m.Logger.Info("recovered work leased by a previous process", "count", n)
		}
	}
	if m.ln, err = net.Listen("tcp", c.Listen); err != nil {
		return err
	}
	if c.PublicURL == "" {
		c.PublicURL = "http://" + m.ln.Addr().String()
	}
	c.PublicURL = strings.TrimRight(c.PublicURL, "/")

	met := metrics.New(db, m.Logger)
	dispatcher := &hooks.Dispatcher{
		Queue: db, Owner: boot, Logger: m.Logger, Observer: met,
		Concurrency: c.Concurrency, HookConcurrency: c.HookConcurrency,
		Retry: hooks.RetryPolicy{Schedule: c.RetrySchedule}, Breaker: c.Breaker,
		Sender: &hooks.Sender{
			Client:         egress.NewClient(c.AllowedHosts, c.DeliveryTimeout, false),
			InsecureClient: egress.NewClient(c.AllowedHosts, c.DeliveryTimeout, true),
			Timeout:        c.DeliveryTimeout,
		},
	}
	m.reader = git.NewReader()
	urls := hooks.NewURLs(c.PublicURL, "")
	urls.Clone = c.Clone
	repos := &git.Repos{Root: c.Repos, DefaultOwner: c.DefaultOwner}
	pusher := &hooks.PushWorker{
		Pushes: db, Hooks: db, Accounts: db, Repos: repos, Commits: m.reader,
		Refs: db,
		URLs: urls, MaxTagsPerPush: c.MaxTagsPerPush, Owner: boot, Logger: m.Logger, OnEvents: dispatcher.Wake,
		Observer: met,
	}
	srv := &api.Server{
		Hooks: db, Deliveries: db, Queue: db, Accounts: db, Repos: pusher.Repos, Tokens: db,
		PublicURL: c.PublicURL, Clone: c.Clone, OnEnqueue: dispatcher.Wake, Logger: m.Logger,
		Metrics: met.Handler(),
	}
	srv.UI = (&web.Server{
		Hooks: db, Deliveries: db, Tokens: db, Repos: repos, List: repos, Stats: db, Logger: m.Logger,
		Admin: &hooks.Admin{Hooks: db, Deliveries: db, Queue: db, Accounts: db, Repos: repos, URLs: urls,
			OnEnqueue: dispatcher.Wake},
		Secure: strings.HasPrefix(c.PublicURL, "https://"),
	}).Handler()
	srv.Hub = &pshb.Handler{Hooks: db, Repos: pusher.Repos, OnCreate: srv.Ping, Logger: m.Logger}
	drainer, err := m.openWakeUps(srv, met, repos, pusher.Wake)
	if err != nil {
		return err
	}
	if c.MaxPushAge > 0 {
		srv.Health = append(srv.Health, api.PushBacklogCheck(db, c.MaxPushAge))
	}
	wakeAll := func() { pusher.Wake(); dispatcher.Wake(); drainer.Wake() }
	runCtx, cancel := context.WithCancel(context.Background())
	m.cancel = cancel
	m.goRun(func() { _ = dispatcher.Run(runCtx) })
	m.goRun(func() { _ = pusher.Run(runCtx) })
	if m.wake != nil {
		// A wake-up is a recorded push, or a ping or redelivery the admin CLI queued.
		m.goRun(func() { m.wake.Run(wakeAll) })
	}
	if db.PG != nil {
		// The same, from any git server or daemon sharing the database.
		m.goRun(func() { _ = db.PG.Listen(runCtx, wakeAll) })
	}
	m.goRun(func() { drainer.Run(runCtx) })
	m.goRun(func() { m.prune(runCtx) })
	m.server = &http.Server{
		Handler: srv.Handler(), ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 30 * time.Second,
		WriteTimeout: 60 * time.Second, IdleTimeout: 2 * time.Minute, MaxHeaderBytes: 64 << 10,
		ErrorLog: slog.NewLogLogger(m.Logger.Handler(), slog.LevelWarn),
	}
	if c.MetricsListen != "" {
		if m.metrics, err = listenMetrics(c.MetricsListen, met.Handler(), m.Logger); err != nil {
			return err
		}
	}
	m.serveErr = make(chan error, 1)
	go func() { m.serveErr <- m.server.Serve(m.ln) }()
	m.logStart(ctx)
	return nil
}

// prune deletes delivery history older than the retention, hourly.
func (m *Main) prune(ctx context.Context) {
	t := time.NewTicker(time.Hour)
	defer t.Stop()
	for {
		if n, err := m.db.PruneDeliveries(ctx, time.Now().Add(-m.Config.Retention)); err != nil && ctx.Err() == nil {
			m.Logger.Error("prune delivery history", "err", err)
		} else if n > 0 {
			m.Logger.Info("pruned delivery history", "rows", n)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

func (m *Main) goRun(f func()) {
	m.wg.Add(1)
	go func() { defer m.wg.Done(); f() }()
}

// Close stops in reverse order: no new requests, no new work, attempts in
// flight finish (up to the delivery timeout), then the database closes.
func (m *Main) Close() error {
	var errs []error
	m.Logger.Info("forgehook stopping: no new requests or work; attempts in flight finish")
	if m.metrics != nil {
		errs = append(errs, m.metrics.Close())
	}
	if m.server != nil {
		sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		errs = append(errs, m.server.Shutdown(sctx))
		cancel()
		if err := <-m.serveErr; !errors.Is(err, http.ErrServerClosed) {
			errs = append(errs, err)
		}
	}
	if m.wake != nil {
		errs = append(errs, m.wake.Close())
	}
	if m.cancel != nil {
		m.cancel()
	}
	m.wg.Wait()
	if m.live != nil {
		errs = append(errs, m.live.stop())
	}
	if m.reader != nil {
		errs = append(errs, m.reader.Close())
	}
	if m.db != nil {
		m.logStop()
		errs = append(errs, m.db.Close())
	}
	return errors.Join(errs...)
}
