package hooks

// RepoJSON is GitHub's repository object. Push payloads use a legacy flavour
// (Unix-second created_at/pushed_at, web url, owner with name and email,
// master_branch, stargazers, organization as a login); every other payload and
// the REST API use the standard one. NewRepoJSON and NewPushRepoJSON build them.
type RepoJSON struct {
	ID       int64  `json:"id"`
	NodeID   string `json:"node_id"`
	Name     string `json:"name"`
	FullName string `json:"full_name"`
	Private  bool   `json:"private"`
	Owner    any    `json:"owner"` // UserJSON, or PushOwnerJSON in push payloads

	HTMLURL          string    `json:"html_url"`
	Description      *string   `json:"description"`
	Fork             bool      `json:"fork"`
	URL              string    `json:"url"`
	ForksURL         string    `json:"forks_url"`
	KeysURL          string    `json:"keys_url"`
	CollaboratorsURL string    `json:"collaborators_url"`
	TeamsURL         string    `json:"teams_url"`
	HooksURL         string    `json:"hooks_url"`
	IssueEventsURL   string    `json:"issue_events_url"`
	EventsURL        string    `json:"events_url"`
	AssigneesURL     string    `json:"assignees_url"`
	BranchesURL      string    `json:"branches_url"`
	TagsURL          string    `json:"tags_url"`
	BlobsURL         string    `json:"blobs_url"`
	GitTagsURL       string    `json:"git_tags_url"`
	GitRefsURL       string    `json:"git_refs_url"`
	TreesURL         string    `json:"trees_url"`
	StatusesURL      string    `json:"statuses_url"`
	LanguagesURL     string    `json:"languages_url"`
	StargazersURL    string    `json:"stargazers_url"`
	ContributorsURL  string    `json:"contributors_url"`
	SubscribersURL   string    `json:"subscribers_url"`
	SubscriptionURL  string    `json:"subscription_url"`
	CommitsURL       string    `json:"commits_url"`
	GitCommitsURL    string    `json:"git_commits_url"`
	CommentsURL      string    `json:"comments_url"`
	IssueCommentURL  string    `json:"issue_comment_url"`
	ContentsURL      string    `json:"contents_url"`
	CompareURL       string    `json:"compare_url"`
	MergesURL        string    `json:"merges_url"`
	ArchiveURL       string    `json:"archive_url"`
	DownloadsURL     string    `json:"downloads_url"`
	IssuesURL        string    `json:"issues_url"`
	PullsURL         string    `json:"pulls_url"`
	MilestonesURL    string    `json:"milestones_url"`
	NotificationsURL string    `json:"notifications_url"`
	LabelsURL        string    `json:"labels_url"`
	ReleasesURL      string    `json:"releases_url"`
	DeploymentsURL   string    `json:"deployments_url"`
	CreatedAt        any       `json:"created_at"`
	UpdatedAt        string    `json:"updated_at"`
	PushedAt         any       `json:"pushed_at"`
	GitURL           string    `json:"git_url"`
	SSHURL           string    `json:"ssh_url"`
	CloneURL         string    `json:"clone_url"`
	SvnURL           string    `json:"svn_url"`
	Homepage         *string   `json:"homepage"`
	Size             int       `json:"size"`
	StargazersCount  int       `json:"stargazers_count"`
	WatchersCount    int       `json:"watchers_count"`
	Language         *string   `json:"language"`
	HasIssues        bool      `json:"has_issues"`
	HasProjects      bool      `json:"has_projects"`
	HasDownloads     bool      `json:"has_downloads"`
	HasWiki          bool      `json:"has_wiki"`
	HasPages         bool      `json:"has_pages"`
	HasDiscussions   bool      `json:"has_discussions"`
	ForksCount       int       `json:"forks_count"`
	MirrorURL        *string   `json:"mirror_url"`
	Archived         bool      `json:"archived"`
	Disabled         bool      `json:"disabled"`
	OpenIssuesCount  int       `json:"open_issues_count"`
	License          *struct{} `json:"license"`
	AllowForking     bool      `json:"allow_forking"`
	IsTemplate       bool      `json:"is_template"`
	WebCommitSignoff bool      `json:"web_commit_signoff_required"`
	Topics           []string  `json:"topics"`
	Visibility       string    `json:"visibility"`
	Forks            int       `json:"forks"`
	OpenIssues       int       `json:"open_issues"`
	Watchers         int       `json:"watchers"`
	DefaultBranch    string    `json:"default_branch"`
	CustomProperties struct{}  `json:"custom_properties"`

	// Push flavour only.
	Stargazers   *int   `json:"stargazers,omitempty"`
	MasterBranch string `json:"master_branch,omitempty"`
	Organization string `json:"organization,omitempty"`

	// REST only: what the caller may do.
	Permissions *RepoPermissions `json:"permissions,omitempty"`
}

// RepoPermissions is the permissions object of a REST repository.
type RepoPermissions struct {
	Admin    bool `json:"admin"`
	Maintain bool `json:"maintain"`
	Push     bool `json:"push"`
	Triage   bool `json:"triage"`
	Pull     bool `json:"pull"`
}

// PushOwnerJSON is a repository owner in push payloads: a user object plus
// name and email.
type PushOwnerJSON struct {
	Name  string  `json:"name"`
	Email *string `json:"email"`
	UserJSON
}

// NewRepoJSON returns the standard repository object of r.
func NewRepoJSON(u URLs, r *Repository) *RepoJSON {
	api := u.Repo(r.Owner.Login, r.Name)
	web := u.RepoWeb(r.Owner.Login, r.Name)
	j := &RepoJSON{
		ID: r.ID, NodeID: nodeID("Repository", r.ID), Name: r.Name, FullName: r.FullName(),
		Private: true, Owner: NewUserJSON(u, r.Owner), HTMLURL: web, Description: nullable(r.Description),
		URL: api, ForksURL: api + "/forks", KeysURL: api + "/keys{/key_id}",
		CollaboratorsURL: api + "/collaborators{/collaborator}", TeamsURL: api + "/teams",
		HooksURL: api + "/hooks", IssueEventsURL: api + "/issues/events{/number}",
		EventsURL: api + "/events", AssigneesURL: api + "/assignees{/user}",
		BranchesURL: api + "/branches{/branch}", TagsURL: api + "/tags",
		BlobsURL: api + "/git/blobs{/sha}", GitTagsURL: api + "/git/tags{/sha}",
		GitRefsURL: api + "/git/refs{/sha}", TreesURL: api + "/git/trees{/sha}",
		StatusesURL: api + "/statuses/{sha}", LanguagesURL: api + "/languages",
		StargazersURL: api + "/stargazers", ContributorsURL: api + "/contributors",
		SubscribersURL: api + "/subscribers", SubscriptionURL: api + "/subscription",
		CommitsURL: api + "/commits{/sha}", GitCommitsURL: api + "/git/commits{/sha}",
		CommentsURL: api + "/comments{/number}", IssueCommentURL: api + "/issues/comments{/number}",
		ContentsURL: api + "/contents/{+path}", CompareURL: api + "/compare/{base}...{head}",
		MergesURL: api + "/merges", ArchiveURL: api + "/{archive_format}{/ref}",
		DownloadsURL: api + "/downloads", IssuesURL: api + "/issues{/number}",
		PullsURL: api + "/pulls{/number}", MilestonesURL: api + "/milestones{/number}",
		NotificationsURL: api + "/notifications{?since,all,participating}",
		LabelsURL:        api + "/labels{/name}", ReleasesURL: api + "/releases{/id}",
		DeploymentsURL: api + "/deployments",
		CreatedAt:      isoTime(r.CreatedAt), UpdatedAt: isoTime(latest(r.CreatedAt, r.PushedAt)),
		PushedAt: nil,
		GitURL:   u.GitURL(r.Owner.Login, r.Name),
		SSHURL:   u.SSHURL(r.Owner.Login, r.Name),
		CloneURL: u.CloneURL(r.Owner.Login, r.Name), SvnURL: web,
		AllowForking: true, Topics: []string{}, Visibility: "private", DefaultBranch: r.DefaultBranch,
	}
	if !r.PushedAt.IsZero() {
		j.PushedAt = isoTime(r.PushedAt)
	}
	return j
}

// NewPushRepoJSON returns the push flavour of the repository object of r.
func NewPushRepoJSON(u URLs, r *Repository) *RepoJSON {
	j := NewRepoJSON(u, r)
	j.URL = j.HTMLURL
	j.CreatedAt = r.CreatedAt.Unix()
	j.PushedAt = r.PushedAt.Unix()
	j.Owner = PushOwnerJSON{Name: r.Owner.Login, UserJSON: NewUserJSON(u, r.Owner)}
	zero := 0
	j.Stargazers = &zero
	j.MasterBranch = r.DefaultBranch
	if r.Owner.Org {
		j.Organization = r.Owner.Login
	}
	return j
}
