package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"maps"
	"os"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"

	"golang.org/x/term"

	"github.com/forgehook/forgehook/hooks"
)

const hookUsage = `hook: usage:
  forgehook hook create (--repo OWNER/NAME | --org OWNER) --url URL [--content-type json|form]
                        [--secret S | --secret-file F | --secret -] [--events E,E...] [--active=false] [--insecure-ssl]
                        [--branch-filter GLOB] [--header 'NAME: VALUE']... [--signature standard-webhooks]
  forgehook hook list   (--repo OWNER/NAME | --org OWNER)
  forgehook hook show   ID
  forgehook hook edit   ID [--url URL] [--content-type T] [--secret ...] [--events E,E...] [--active=B] [--insecure-ssl=B]
                        [--branch-filter GLOB] [--header 'NAME: VALUE']... [--signature S]
  forgehook hook delete ID
  forgehook hook ping   ID
Every command takes --db, --repos, --json; run "forgehook hook COMMAND -h" for all flags.`

// hookCmd is one "hook" subcommand: its flags and, once parsed, its
// positional arguments.
type hookCmd struct {
	adminFlags
	Repo, Org string
	name      string // "hook create", ...
	fs        *flag.FlagSet
	args      []string
	out       io.Writer
}

// runHook handles "hook create|list|show|edit|delete|ping".
func runHook(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return usagef("%s", hookUsage)
	}
	sub, rest := args[0], args[1:]
	run := map[string]func(context.Context, *hookCmd, *admin) error{
		"list": hookList, "show": hookShow, "delete": hookDelete, "ping": hookPing,
	}[sub]
	c := &hookCmd{name: "hook " + sub, fs: newFlagSet("hook "+sub, stdout), out: stdout}
	c.adminFlags.register(c.fs)
	c.fs.StringVar(&c.Repo, "repo", "", "the repository `OWNER/NAME`, as the daemon names it")
	c.fs.StringVar(&c.Org, "org", "", "the `OWNER` whose organization hooks to manage")
	var fields *hookFields
	switch sub {
	case "create", "edit":
		fields = registerHookFields(c.fs, sub == "create")
	case "list", "show", "delete", "ping":
	default:
		return usagef("hook: unknown command %q\n%s", sub, hookUsage)
	}
	var err error
	if c.args, err = parseArgs(c.fs, rest, stdout); err != nil {
		return err
	}
	a, err := c.open()
	if err != nil {
		return err
	}
	defer a.Close()
	switch sub {
	case "create":
		return hookCreate(ctx, c, a, fields, stdin, stderr)
	case "edit":
		return hookEdit(ctx, c, a, fields, stdin, stderr)
	}
	return run(ctx, c, a)
}

// scope returns the owner and repository (repo "" for --org) the command
// names. Without either flag it returns ok false, a usage error if need.
func (c *hookCmd) scope(ctx context.Context, a *admin, need bool) (owner, repo string, ok bool, err error) {
	switch {
	case c.Repo != "" && c.Org != "":
		return "", "", false, usagef("%s: give --repo or --org, not both", c.name)
	case c.Repo != "":
		g, err := a.findRepo(ctx, c.Repo)
		if err != nil {
			return "", "", false, err
		}
		return g.Owner, g.Name, true, nil
	case c.Org != "":
		owner, err := a.findOwner(ctx, c.Org)
		return owner, "", err == nil, err
	case need:
		return "", "", false, usagef("%s: name the repository with --repo OWNER/NAME, or --org OWNER for organization hooks", c.name)
	}
	return "", "", false, nil
}

// hook returns the hook the one argument names, checked against --repo or
// --org if given.
func (c *hookCmd) hook(ctx context.Context, a *admin) (*hooks.Hook, error) {
	if len(c.args) != 1 {
		return nil, usagef("%s: want one hook ID (forgehook hook list --repo OWNER/NAME lists them)", c.name)
	}
	id, err := strconv.ParseInt(c.args[0], 10, 64)
	if err != nil || id <= 0 {
		return nil, usagef("%s: hook ID %q is not a number", c.name, c.args[0])
	}
	owner, repo, scoped, err := c.scope(ctx, a, false)
	if err != nil {
		return nil, err
	}
	h, err := a.db.FindHookByID(ctx, id)
	if err == nil && scoped && (h.Owner != owner || h.Repo != repo) {
		return nil, fmt.Errorf("hook %d is not a hook of %s: forgehook hook list %s lists them", id, label(owner, repo), scopeFlag(owner, repo))
	}
	return h, notFound(err, "no hook %d: forgehook hook list --repo OWNER/NAME lists them", id)
}

// label names a hook's owner and repository in messages.
func label(owner, repo string) string {
	if owner == "" && repo == "" {
		return "the instance (global hook)"
	}
	if repo == "" {
		return "organization " + owner
	}
	return owner + "/" + repo
}

func scopeFlag(owner, repo string) string {
	if repo == "" {
		return "--org " + owner
	}
	return "--repo " + owner + "/" + repo
}

func hookList(ctx context.Context, c *hookCmd, a *admin) error {
	owner, repo, _, err := c.scope(ctx, a, true)
	if err != nil {
		return err
	}
	if len(c.args) > 0 {
		return usagef("%s: unexpected argument %q", c.name, c.args[0])
	}
	f := hooks.HookFilter{Owner: owner, Repo: repo, Org: repo == ""}
	list, _, err := a.db.FindHooks(ctx, f)
	if err != nil {
		return err
	}
	out := c.out
	if c.JSON {
		objs := make([]*hooks.HookJSON, 0, len(list))
		for _, h := range list {
			objs = append(objs, hooks.NewHookJSON(a.do.URLs, h))
		}
		return writeJSON(out, objs)
	}
	if len(list) == 0 {
		fmt.Fprintf(out, "%s has no hooks: forgehook hook create %s --url URL adds one\n", label(owner, repo), scopeFlag(owner, repo))
		return nil
	}
	t := newTable(out, column{"ID", 6}, column{"URL", 28}, column{"EVENTS", 14}, column{"ACTIVE", 6},
		column{"TYPE", 4}, column{"LAST", 10})
	for _, h := range list {
		t.Row(strconv.FormatInt(h.ID, 10), h.Config.URL, strings.Join(h.Events, ","), yesNo(h.Active),
			h.Config.ContentType.String(), lastResponse(h.LastResponse))
	}
	return t.Flush()
}

func hookShow(ctx context.Context, c *hookCmd, a *admin) error {
	h, err := c.hook(ctx, a)
	if err != nil {
		return err
	}
	return printHook(c, a, h)
}

func hookDelete(ctx context.Context, c *hookCmd, a *admin) error {
	h, err := c.hook(ctx, a)
	if err != nil {
		return err
	}
	if err := a.do.DeleteHook(ctx, h, sender()); err != nil {
		return err
	}
	if !c.JSON {
		fmt.Fprintf(c.out, "Deleted hook %d of %s with its delivery history.\n", h.ID, label(h.Owner, h.Repo))
		if h.Active && h.Wants(hooks.EventMeta) {
			fmt.Fprintf(c.out, "Queued its meta event (action deleted) to %s, sent once.\n", h.Config.URL)
			if note := a.daemonNote(); note != "" {
				fmt.Fprintln(c.out, "Note:", note)
			}
		}
	}
	return nil
}

// pingJSON is what hook ping and redeliver print with --json.
type pingJSON struct {
	HookID int64  `json:"hook_id"`
	GUID   string `json:"guid"`
}

func hookPing(ctx context.Context, c *hookCmd, a *admin) error {
	h, err := c.hook(ctx, a)
	if err != nil {
		return err
	}
	e, err := a.do.Ping(ctx, h, sender())
	if err != nil {
		return err
	}
	return a.printQueued(c.out, "ping", h, e.GUID)
}

// printQueued reports a delivery queued for h: its GUID.
func (a *admin) printQueued(out io.Writer, what string, h *hooks.Hook, guid string) error {
	if a.JSON {
		return writeJSON(out, pingJSON{HookID: h.ID, GUID: guid})
	}
	fmt.Fprintf(out, "Queued a %s to hook %d of %s, delivery GUID %s\n", what, h.ID, label(h.Owner, h.Repo), guid)
	if note := a.daemonNote(); note != "" {
		fmt.Fprintln(out, "Note:", note)
	}
	return nil
}

// printHook shows h as GET /repos/{owner}/{repo}/hooks/{id} does with
// --json, else as a list of fields.
func printHook(c *hookCmd, a *admin, h *hooks.Hook) error {
	out := c.out
	j := hooks.NewHookJSON(a.do.URLs, h)
	if c.JSON {
		return writeJSON(out, j)
	}
	secret := "none"
	if h.Config.Secret != "" {
		secret = hooks.SecretMask
	}
	filter, signature, headers := h.Config.BranchFilter, "github", "none"
	if filter == "" {
		filter = "none (every branch and tag)"
	}
	if h.Config.Signature != "" {
		signature = "github, " + h.Config.Signature
	}
	if len(h.Config.Headers) > 0 {
		var names []string
		for _, name := range slices.Sorted(maps.Keys(h.Config.Headers)) {
			names = append(names, name+": "+hooks.SecretMask)
		}
		headers = strings.Join(names, ", ")
	}
	tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "Hook %d of %s\n", h.ID, label(h.Owner, h.Repo))
	for _, kv := range [][2]string{
		{"URL", h.Config.URL}, {"Content type", h.Config.ContentType.String()}, {"Secret", secret},
		{"Events", strings.Join(h.Events, ", ")}, {"Branch filter", filter}, {"Signature", signature},
		{"Headers", headers}, {"Active", yesNo(h.Active)},
		{"Insecure SSL", yesNo(h.Config.InsecureSSL)}, {"Template", templateSummary(h.Config.Template)},
		{"Last response", lastResponseLong(h.LastResponse)},
		{"Created", h.CreatedAt.Local().Format("2006-01-02 15:04:05")},
		{"Updated", h.UpdatedAt.Local().Format("2006-01-02 15:04:05")}, {"API", j.URL},
	} {
		fmt.Fprintf(tw, "  %s:\t%s\n", kv[0], cellSpaces.Replace(kv[1]))
	}
	return tw.Flush()
}

// templateSummary describes a hook's request template in one line.
func templateSummary(t hooks.Template) string {
	switch {
	case t.IsZero():
		return "none (GitHub's request)"
	case t.Room != "":
		return t.Preset + " " + t.Room
	case t.Preset != "":
		return t.Preset
	}
	method, url := t.Method, t.URL
	if method == "" {
		method = "POST"
	}
	if url == "" {
		url = "the hook URL"
	}
	return fmt.Sprintf("%s %s, a %d-byte body template", method, url, len(t.Body))
}

// lastResponseLong is lastResponse with the reason there was no answer.
func lastResponseLong(r hooks.LastResponse) string {
	if s := lastResponse(r); s != "no answer" || r.Message == "" {
		return s
	}
	return "no answer: " + r.Message
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

// lastResponse shows a hook's last response: "never", the status code, or
// "no answer" (hook show and the deliveries say why).
func lastResponse(r hooks.LastResponse) string {
	switch {
	case r.Status == "" || r.Status == "unused":
		return "never"
	case r.Code != 0:
		return strconv.Itoa(r.Code) + " " + r.Status
	}
	return "no answer"
}

// hookFields are the flags that set a hook's fields: all of them for
// create, the ones given for edit.
type hookFields struct {
	fs                                   *flag.FlagSet
	URL, ContentType, Secret, SecretFile string
	BranchFilter, Signature              string
	TemplateFile, Preset, Room           string
	Events, Headers                      listFlag
	Active, InsecureSSL                  bool
}

func registerHookFields(fs *flag.FlagSet, create bool) *hookFields {
	f := &hookFields{fs: fs}
	fs.StringVar(&f.URL, "url", "", "the `URL` deliveries are POSTed to")
	fs.StringVar(&f.ContentType, "content-type", "", "how payloads are sent: `json` or form (default form)")
	fs.StringVar(&f.Secret, "secret", "", "the `secret` deliveries are signed with, or - to read it from stdin (a prompt without echo on a terminal); \"\" for none")
	fs.StringVar(&f.SecretFile, "secret-file", "", "read the secret from `file` (its first line)")
	fs.Var(&f.Events, "events", "the `events` to deliver, comma-separated or repeated; * for all (default push)")
	fs.BoolVar(&f.Active, "active", create, "deliver events (--active=false keeps the hook but sends nothing)")
	fs.BoolVar(&f.InsecureSSL, "insecure-ssl", false, "do not verify the receiver's TLS certificate")
	fs.StringVar(&f.BranchFilter, "branch-filter", "", "deliver push, create and delete events only of the branches and tags this `glob` matches, as Gitea's branch filter: {main,release/*}, refs/tags/v*; \"\" for all")
	fs.Var(&f.Headers, "header", "a custom header sent with every delivery, `'NAME: VALUE'`, repeated for more; they replace the hook's headers, and --header '' alone removes them. Values are stored encrypted and never shown, but a command line is visible to the machine's other users")
	fs.StringVar(&f.Signature, "signature", "", "add Standard Webhooks signatures (webhook-id, webhook-timestamp, webhook-signature) to GitHub's: `standard-webhooks`, or github for GitHub's only")
	fs.StringVar(&f.TemplateFile, "template-file", "", "send the request the config.template JSON in `file` describes instead of GitHub's (\"\" removes the template)")
	fs.StringVar(&f.Preset, "template-preset", "", "send a chat message instead of GitHub's payload: `name` slack, discord or matrix")
	fs.StringVar(&f.Room, "template-room", "", "the Matrix room `id` (!…) for --template-preset matrix")
	return f
}

// headers returns the --header flags as a header map, or an error for one
// that is not NAME: VALUE.
func (f *hookFields) headers() (map[string]string, error) {
	h := map[string]string{}
	for _, v := range f.Headers {
		if v == "" && len(f.Headers) == 1 {
			break
		}
		name, value, ok := strings.Cut(v, ":")
		if !ok {
			return nil, usagef("%s: --header %q: want 'NAME: VALUE'", cmdName(f.fs), v)
		}
		h[strings.TrimSpace(name)] = strings.TrimSpace(value)
	}
	return h, nil
}

// events returns the --events given, split at commas.
func (f *hookFields) events() []string {
	out := []string{}
	for _, v := range f.Events {
		for _, e := range strings.Split(v, ",") {
			if e = strings.TrimSpace(e); e != "" {
				out = append(out, e)
			}
		}
	}
	return out
}

// patch returns the config keys the flags set, reading the secret.
func (f *hookFields) patch(stdin io.Reader, stderr io.Writer) (hooks.ConfigPatch, error) {
	var p hooks.ConfigPatch
	if flagSet(f.fs, "url") {
		p.URL = &f.URL
	}
	if flagSet(f.fs, "content-type") {
		p.ContentType = &f.ContentType
	}
	if flagSet(f.fs, "insecure-ssl") {
		p.InsecureSSL = &f.InsecureSSL
	}
	if flagSet(f.fs, "branch-filter") {
		p.BranchFilter = &f.BranchFilter
	}
	if flagSet(f.fs, "signature") {
		p.Signature = &f.Signature
	}
	if flagSet(f.fs, "header") {
		h, err := f.headers()
		if err != nil {
			return p, err
		}
		p.Headers = &h
	}
	secret, err := f.secret(stdin, stderr)
	p.Secret = secret
	if err != nil {
		return p, err
	}
	p.Template, err = f.template()
	return p, err
}

// template returns the template given by --template-file or
// --template-preset (with --template-room), or nil if neither was.
func (f *hookFields) template() (*hooks.Template, error) {
	fromFile, preset := flagSet(f.fs, "template-file"), flagSet(f.fs, "template-preset")
	switch {
	case fromFile && preset:
		return nil, usagef("%s: give --template-file or --template-preset, not both", cmdName(f.fs))
	case flagSet(f.fs, "template-room") && !preset:
		return nil, usagef("%s: --template-room goes with --template-preset matrix", cmdName(f.fs))
	case preset:
		return &hooks.Template{Preset: f.Preset, Room: f.Room}, nil
	case fromFile && f.TemplateFile == "":
		return &hooks.Template{}, nil
	case fromFile:
		b, err := os.ReadFile(f.TemplateFile)
		if err != nil {
			return nil, fmt.Errorf("--template-file: %w", err)
		}
		t, err := hooks.ParseTemplate(b)
		if err != nil {
			return nil, fmt.Errorf("--template-file %s: %w", f.TemplateFile, err)
		}
		return &t, nil
	}
	return nil, nil
}

// secret returns the secret given by --secret, --secret - or
// --secret-file, or nil if none was.
func (f *hookFields) secret(stdin io.Reader, stderr io.Writer) (*string, error) {
	fromFlag, fromFile := flagSet(f.fs, "secret"), f.SecretFile != ""
	switch {
	case fromFlag && fromFile:
		return nil, usagef("%s: give --secret or --secret-file, not both", cmdName(f.fs))
	case fromFile:
		b, err := os.ReadFile(f.SecretFile)
		if err != nil {
			return nil, fmt.Errorf("--secret-file: %w", err)
		}
		s, _, _ := strings.Cut(string(b), "\n")
		s = strings.TrimSuffix(s, "\r")
		return &s, nil
	case fromFlag && f.Secret == "-":
		s, err := readSecret(stdin, stderr)
		return &s, err
	case fromFlag:
		return &f.Secret, nil
	}
	return nil, nil
}

// readSecret reads one line from stdin: with a prompt and no echo on a
// terminal.
func readSecret(stdin io.Reader, stderr io.Writer) (string, error) {
	if file, ok := stdin.(*os.File); ok && term.IsTerminal(int(file.Fd())) {
		fmt.Fprint(stderr, "Secret (not echoed): ")
		b, err := term.ReadPassword(int(file.Fd()))
		fmt.Fprintln(stderr)
		if err != nil {
			return "", fmt.Errorf("read secret: %w", err)
		}
		return string(b), nil
	}
	line, err := bufio.NewReader(stdin).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return "", fmt.Errorf("read secret from stdin: %w", err)
	}
	return strings.TrimRight(line, "\r\n"), nil
}

func hookCreate(ctx context.Context, c *hookCmd, a *admin, f *hookFields, stdin io.Reader, stderr io.Writer) error {
	owner, repo, _, err := c.scope(ctx, a, true)
	if err != nil {
		return err
	}
	if len(c.args) > 0 {
		return usagef("%s: unexpected argument %q", c.name, c.args[0])
	}
	if f.URL == "" {
		return usagef("%s: --url URL is required: where deliveries are POSTed", c.name)
	}
	p, err := f.patch(stdin, stderr)
	if err != nil {
		return err
	}
	h := hooks.NewHook(owner, repo)
	h.Active = f.Active
	if flagSet(c.fs, "events") {
		h.Events = f.events()
	}
	p.Apply(&h.Config)
	ping, err := a.do.CreateHook(ctx, h, sender())
	var pingErr *hooks.PingError
	if errors.As(err, &pingErr) {
		fmt.Fprintf(stderr, "forgehook: created hook %d, but its ping was not queued: %v\n", h.ID, pingErr.Err)
	} else if err != nil {
		return fmt.Errorf("%s: %w", c.name, err)
	}
	if err := printHook(c, a, h); err != nil || c.JSON || ping == nil {
		return err
	}
	return a.printQueued(c.out, "ping", h, ping.GUID)
}

func hookEdit(ctx context.Context, c *hookCmd, a *admin, f *hookFields, stdin io.Reader, stderr io.Writer) error {
	h, err := c.hook(ctx, a)
	if err != nil {
		return err
	}
	p, err := f.patch(stdin, stderr)
	if err != nil {
		return err
	}
	var upd hooks.HookUpdate
	if !p.IsZero() {
		cfg := h.Config
		p.Apply(&cfg)
		upd.Config = &cfg
	}
	if flagSet(c.fs, "events") {
		events := f.events()
		upd.Events = &events
	}
	if flagSet(c.fs, "active") {
		upd.Active = &f.Active
	}
	if upd.Config == nil && upd.Events == nil && upd.Active == nil {
		return usagef("%s: nothing to change: give --url, --content-type, --secret, --secret-file, --events, --active, --insecure-ssl, --branch-filter, --header, --signature, --template-file or --template-preset", c.name)
	}
	if h, err = a.db.UpdateHook(ctx, h.ID, upd); err != nil {
		return fmt.Errorf("%s: %w", c.name, err)
	}
	return printHook(c, a, h)
}
