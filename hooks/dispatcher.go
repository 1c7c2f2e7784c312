package hooks

import (
	"context"
	"log/slog"
	"sync"
	"time"
)

// Dispatcher delivers queued jobs. It claims due jobs in batches under a
// lease, sends them through per-hook lanes (so that one slow or dead receiver
// holds at most HookConcurrency of the Concurrency delivery slots, and a
// hook's deliveries go out in queue order), and records outcomes in batched
// transactions. Breaker keeps failing endpoints from being hammered: see
// health.go.
type Dispatcher struct {
	Queue           DeliveryQueue
	Sender          *Sender
	Retry           RetryPolicy
	Breaker         Breaker
	Owner           string        // lease owner: this daemon's boot id
	Concurrency     int           // deliveries in flight at once; 64 by default
	HookConcurrency int           // deliveries in flight per hook; 1 by default, which keeps order
	Poll            time.Duration // how often to look for due jobs without a wake-up; 500ms by default
	Now             func() time.Time
	Logger          *slog.Logger
	Observer        Observer // told of every attempt; none by default

	once sync.Once
	wake chan struct{}
}

// maxClaim bounds one claim. A hook's lane is refilled by a claim when it
// falls below laneRefill jobs, so it never holds more than laneRefill+maxClaim.
const (
	maxClaim   = 64
	laneRefill = 32
)

// Wake tells the dispatcher that new jobs may be due. It never blocks.
func (d *Dispatcher) Wake() {
	d.init()
	select {
	case d.wake <- struct{}{}:
	default:
	}
}

func (d *Dispatcher) init() {
	d.once.Do(func() {
		d.wake = make(chan struct{}, 1)
		if d.Concurrency <= 0 {
			d.Concurrency = 64
		}
		if d.HookConcurrency <= 0 {
			d.HookConcurrency = 1
		}
		if d.Poll <= 0 {
			d.Poll = 500 * time.Millisecond
		}
		if d.Now == nil {
			d.Now = time.Now
		}
		if d.Logger == nil {
			d.Logger = slog.New(slog.DiscardHandler)
		}
		if d.Observer == nil {
			d.Observer = nopObserver{}
		}
	})
}

// lease is how long claimed jobs stay ours: long enough for a full lane of
// attempts to time out one after another, so a live daemon never loses one.
func (d *Dispatcher) lease() time.Duration {
	timeout := d.Sender.Timeout
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	perLane := (laneRefill + maxClaim + 2*d.HookConcurrency) / d.HookConcurrency
	return time.Duration(perLane)*timeout + 30*time.Second
}

type lane struct {
	hookID  int64
	jobs    []*Job
	running int
}

// hookState is the health of a hook as this dispatcher knows it: newer than
// the stored one until its outcomes are written. A hook loaded with a newer
// UpdatedAt (edited meanwhile: re-enabled, say) starts it afresh.
type hookState struct {
	HookHealth
	updated  time.Time
	disabled bool
}

// Run delivers jobs until ctx is cancelled. Then it stops claiming, gives
// back jobs it holds but has not started, lets attempts in flight finish (up
// to the sender's timeout), records every outcome and returns.
func (d *Dispatcher) Run(ctx context.Context) error {
	d.init()
	var (
		lanes    = map[int64]*lane{}
		ready    []*lane // lanes with a job to start and a free hook slot
		held     int     // claimed jobs not yet finished
		inflight int
		done     = make(chan *Outcome, d.Concurrency)
		finish   = make(chan *Outcome, 4*d.Concurrency)
		sendCtx  = context.WithoutCancel(ctx)
		timer    = time.NewTimer(0)
		claim    = true
		ctxDone  = ctx.Done()
		health   = map[int64]*hookState{}
	)
	completed := make(chan struct{})
	go func() { defer close(completed); d.complete(finish) }()
	defer func() { close(finish); <-completed }()

	// A hook whose breaker is half-open sends one job at a time.
	laneLimit := func(l *lane) int {
		if st := health[l.hookID]; st != nil && d.Breaker.Tripped(st.HookHealth) {
			return 1
		}
		return d.HookConcurrency
	}
	enqueueReady := func(l *lane) {
		if len(l.jobs) > 0 && l.running < laneLimit(l) {
			ready = append(ready, l)
		}
	}
	// giveBack returns the jobs l holds but has not started to the queue.
	giveBack := func(l *lane) int {
		for _, job := range l.jobs {
			finish <- &Outcome{Job: job, State: JobQueued}
			held--
		}
		n := len(l.jobs)
		l.jobs = nil
		return n
	}
	start := func() {
		for inflight < d.Concurrency && len(ready) > 0 {
			l := ready[0]
			ready = ready[1:]
			if len(l.jobs) == 0 || l.running >= laneLimit(l) {
				continue
			}
			job := l.jobs[0]
			l.jobs = l.jobs[1:]
			l.running++
			inflight++
			go func() { done <- d.attempt(sendCtx, job) }()
			enqueueReady(l)
		}
	}

	// Claims are write transactions: take whole batches, once there is room
	// for one, rather than a job or two each time one finishes. A claim runs
	// in its own goroutine, so that attempts keep starting and finishing
	// while it waits for the write lock; one runs at a time.
	limit := 4 * d.Concurrency
	batch := min(maxClaim, limit)
	claimed := make(chan claimResult, 1)
	claiming := false
	for {
		if ctxDone != nil && claim && !claiming && held <= limit-batch {
			claim, claiming = false, true
			busy := busyHooks(lanes, max(laneRefill, d.HookConcurrency))
			go func() { claimed <- d.claim(ctx, batch, busy) }()
		}
		if ctxDone == nil && held == 0 && !claiming {
			return nil
		}
		select {
		case r := <-claimed:
			claiming = false
			for _, job := range r.jobs {
				if ctxDone == nil || d.waits(health, job) { // stopping, or the hook's breaker is open: give it back
					finish <- &Outcome{Job: job, State: JobQueued}
					continue
				}
				l := lanes[job.Hook.ID]
				if l == nil {
					l = &lane{hookID: job.Hook.ID}
					lanes[job.Hook.ID] = l
				}
				l.jobs = append(l.jobs, job)
				held++
				enqueueReady(l)
			}
			start()
			if r.full {
				claim = true
			} else if !claim {
				resetTimer(timer, r.wait)
			}
		case o := <-done:
			l := lanes[o.Job.Hook.ID]
			if d.recordHealth(health, o) {
				giveBack(l) // the breaker opened, or the hook was disabled: the rest waits
			}
			finish <- o
			held--
			inflight--
			l.running--
			if l.running+len(l.jobs) == max(laneRefill, d.HookConcurrency)-1 {
				claim = true // the lane just stopped being busy: refill it
			}
			if l.running == 0 && len(l.jobs) == 0 {
				delete(lanes, l.hookID)
			} else {
				enqueueReady(l)
			}
			start()
		case <-d.wake:
			claim = true
		case <-timer.C:
			claim = true
		case <-ctxDone:
			ctxDone = nil
			given := 0
			for _, l := range lanes { // give back what was claimed but not started
				given += giveBack(l)
			}
			ready = nil
			d.Logger.Info("delivery worker stopping: attempts in flight finish, claimed jobs not started go back to the queue",
				"in_flight", inflight, "given_back", given)
		}
	}
}

// claimResult is what a claim brought.
type claimResult struct {
	jobs []*Job
	full bool          // as many jobs as asked for: more may be due
	wait time.Duration // otherwise, when to look again
}

// claim leases up to n due jobs of hooks not in busy and, if it got fewer,
// says when to look again.
func (d *Dispatcher) claim(ctx context.Context, n int, busy []int64) claimResult {
	jobs, err := d.Queue.ClaimJobs(ctx, d.Owner, n, busy, d.lease())
	if err != nil && ctx.Err() == nil {
		d.Logger.Error("claim jobs", "err", err)
	}
	r := claimResult{jobs: jobs, full: len(jobs) == n && err == nil, wait: d.Poll}
	// With busy hooks, jobs may be due that this claim skipped on purpose:
	// their lanes ask for a claim when they run low.
	if !r.full && len(busy) == 0 && err == nil {
		r.wait = d.untilNextDue(ctx)
	}
	return r
}

// attempt sends one job and decides its fate. Events queued for a hook that
// was made inactive since are dropped unsent, as GitHub sends inactive hooks
// nothing; pings and redeliveries, which a user asked for, still go out.
func (d *Dispatcher) attempt(ctx context.Context, job *Job) *Outcome {
	if !job.Hook.Active && job.Event.Name != EventPing && !job.Redelivery {
		return &Outcome{Job: job, State: JobFailed}
	}
	a := d.Sender.Send(ctx, job)
	state, at := d.Retry.Decide(job, a, d.Now())
	d.reportAttempt(job, a, state, at)
	return &Outcome{Job: job, Delivery: a.Delivery, State: state, RetryAt: at,
		sent: outcome(a, state) != OutcomeRefused}
}

// complete records outcomes in batches: one transaction for whatever has
// arrived by the time the previous one committed.
func (d *Dispatcher) complete(in <-chan *Outcome) {
	const batch = 256
	buf := make([]*Outcome, 0, batch)
	for o := range in {
		buf = append(buf[:0], o)
	drain:
		for len(buf) < batch {
			select {
			case o, ok := <-in:
				if !ok {
					break drain
				}
				buf = append(buf, o)
			default:
				break drain
			}
		}
		d.finish(buf)
		for _, o := range buf {
			if o.State == JobRetry { // let the claim loop time the retry
				d.Wake()
				break
			}
		}
	}
}

// finish writes one batch, retrying briefly: if it still fails, the jobs stay
// leased and are delivered again once the lease expires (at least once).
func (d *Dispatcher) finish(batch []*Outcome) {
	for i, wait := 0, 50*time.Millisecond; ; i, wait = i+1, wait*2 {
		err := d.Queue.FinishJobs(context.Background(), batch)
		if err == nil {
			return
		}
		if i == 5 {
			d.Logger.Error("record outcomes; they will be retried after their lease", "jobs", len(batch), "err", err)
			return
		}
		time.Sleep(wait)
	}
}

func (d *Dispatcher) untilNextDue(ctx context.Context) time.Duration {
	next, err := d.Queue.NextDue(ctx)
	if err != nil || next.IsZero() {
		return d.Poll
	}
	return min(max(next.Sub(d.Now()), time.Millisecond), d.Poll)
}

// busyHooks lists hooks whose lane holds at least full jobs, so a claim
// skips their jobs.
func busyHooks(lanes map[int64]*lane, full int) []int64 {
	var busy []int64
	for id, l := range lanes {
		if l.running+len(l.jobs) >= full {
			busy = append(busy, id)
		}
	}
	return busy
}

func resetTimer(t *time.Timer, d time.Duration) {
	t.Stop()
	select {
	case <-t.C:
	default:
	}
	t.Reset(d)
}
